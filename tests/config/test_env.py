import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_list, env_networks


def test_booleans_accept_the_usual_spellings(monkeypatch):
    for raw, expected in [("1", True), ("YES", True), ("on", True), ("0", False), ("false", False), ("", False)]:
        monkeypatch.setenv("TRACKER_FLAG", raw)
        assert env_bool("TRACKER_FLAG") is expected


def test_a_misspelt_boolean_stops_start_up_naming_the_variable(monkeypatch):
    monkeypatch.setenv("TRACKER_FLAG", "flase")
    with pytest.raises(ImproperlyConfigured, match="TRACKER_FLAG='flase' is not a boolean"):
        env_bool("TRACKER_FLAG", False)


def test_integers_are_checked_against_a_minimum(monkeypatch):
    monkeypatch.setenv("TRACKER_N", "12x")
    with pytest.raises(ImproperlyConfigured, match="not an integer"):
        env_int("TRACKER_N", 1)
    monkeypatch.setenv("TRACKER_N", "-3")
    with pytest.raises(ImproperlyConfigured, match="at least 0"):
        env_int("TRACKER_N", 1, minimum=0)


def test_a_required_variable_that_is_missing_stops_start_up(monkeypatch):
    monkeypatch.delenv("TRACKER_REQUIRED", raising=False)
    with pytest.raises(ImproperlyConfigured, match="TRACKER_REQUIRED is required"):
        env_int("TRACKER_REQUIRED")


def test_lists_and_networks(monkeypatch):
    monkeypatch.setenv("TRACKER_HOSTS", " a.example , b.example,")
    assert env_list("TRACKER_HOSTS") == ["a.example", "b.example"]
    monkeypatch.setenv("TRACKER_NETS", "127.0.0.1/32,10.0.0.0/8")
    assert env_networks("TRACKER_NETS") == ["127.0.0.1/32", "10.0.0.0/8"]
    monkeypatch.setenv("TRACKER_NETS", "127.0.0.1/32,not-a-network")
    with pytest.raises(ImproperlyConfigured, match="not-a-network"):
        env_networks("TRACKER_NETS")


def test_a_url_must_be_absolute_http_and_loses_its_trailing_slash(monkeypatch):
    from config.env import env_url

    monkeypatch.setenv("TRACKER_URL", "https://tracker.newsroom.test/")
    assert env_url("TRACKER_URL") == "https://tracker.newsroom.test"
    for bad in ("tracker.newsroom.test", "ftp://tracker.newsroom.test", "https://"):
        monkeypatch.setenv("TRACKER_URL", bad)
        with pytest.raises(ImproperlyConfigured, match="TRACKER_URL=.* is not an absolute http"):
            env_url("TRACKER_URL")


@pytest.mark.parametrize("site_url", [None, "https://tracker.example.org", "http://127.0.0.1:8000"])
def test_production_refuses_a_missing_or_placeholder_site_url(monkeypatch, site_url):
    import importlib
    import sys

    monkeypatch.setenv("DJANGO_SECRET_KEY", "x" * 64)
    if site_url is None:
        monkeypatch.delenv("SITE_URL", raising=False)
    else:
        monkeypatch.setenv("SITE_URL", site_url)
    sys.modules.pop("config.settings.production", None)

    with pytest.raises(ImproperlyConfigured, match="SITE_URL"):
        importlib.import_module("config.settings.production")
    sys.modules.pop("config.settings.production", None)


@pytest.mark.parametrize("rate", ["600 per minute", "0/minute", "600/fortnight", "lots"])
def test_a_malformed_api_throttle_rate_stops_start_up_naming_it(monkeypatch, rate):
    import importlib
    import sys

    monkeypatch.setenv("API_THROTTLE_RATE", rate)
    sys.modules.pop("config.settings.base", None)
    try:
        with pytest.raises(ImproperlyConfigured, match="API_THROTTLE_RATE=.* is not a rate like 600/minute"):
            importlib.import_module("config.settings.base")
    finally:
        sys.modules.pop("config.settings.base", None)
        monkeypatch.delenv("API_THROTTLE_RATE")
        importlib.import_module("config.settings.base")
