import pytest

from sources.normalise import normalise_url


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("HTTPS://WWW.Example.ORG/News/Story?id=3#comments", "https://www.example.org/News/Story?id=3"),
        ("https://example.org/a?utm_source=x&utm_medium=y&id=1&fbclid=z", "https://example.org/a?id=1"),
        ("http://example.org:80/a", "http://example.org/a"),
        ("https://example.org:8443/a", "https://example.org:8443/a"),
        ("https://example.org", "https://example.org/"),
    ],
)
def test_urls_are_normalised(raw, expected):
    assert normalise_url(raw) == expected


@pytest.mark.parametrize("raw", ["javascript:alert(1)", "ftp://example.org/x", "https://user:pw@example.org/", "x"])
def test_non_web_urls_are_refused(raw):
    with pytest.raises(ValueError):
        normalise_url(raw)
