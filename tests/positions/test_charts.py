"""The SVG pictures: escaped text, accessible titles, stance shown as words as well as colours."""

import datetime

from positions.charts import MatrixCell, TimelineMark, TimelinePoint, TimelineRow, matrix_svg, timeline_svg
from positions.choices import Stance

D = datetime.date


def test_the_timeline_links_each_point_to_its_evidence_and_labels_the_stance_in_words():
    svg = timeline_svg(
        [
            TimelineRow(
                title="Keir Starmer",
                href="/actors/keir-starmer/",
                points=[
                    TimelinePoint(
                        on=D(2025, 1, 10), stance=Stance.OPPOSE, label="Oppose (10 January 2025)", href="/c/1/"
                    ),
                    TimelinePoint(
                        on=D(2025, 2, 17), stance=Stance.SUPPORT, label="Support (17 February 2025)", href="/c/2/"
                    ),
                ],
                marks=[TimelineMark(on=D(2025, 2, 1), label="Claim: troops", href="/claims/3/")],
            )
        ],
        title="Stances on troops",
    )
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert '<title id="tl-title">Stances on troops</title>' in svg
    assert '<a href="/c/1/" class="tl-point"><title>Oppose (10 January 2025)</title>' in svg
    assert ">Support</text>" in svg and ">Oppose</text>" in svg
    assert '<a href="/claims/3/" class="tl-claim"><title>Claim: troops</title>' in svg
    assert "<polyline" in svg


def test_chart_text_is_escaped():
    evil = '<script>alert("x")</script>'
    svg = timeline_svg(
        [
            TimelineRow(
                title=evil,
                href='/a/"onmouseover="x',
                points=[TimelinePoint(on=D(2025, 1, 1), stance=Stance.UNCLEAR, label=evil, href="/p/")],
            )
        ],
        title=evil,
    )
    matrix = matrix_svg(
        rows=[(evil, "")],
        columns=[(evil, "")],
        cells={(0, 0): MatrixCell(stance=Stance.NEUTRAL, label=evil, href="/p/")},
        title=evil,
    )
    for markup in (svg, matrix):
        assert "<script>" not in markup
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in markup
    assert 'href="/a/&quot;onmouseover=&quot;x"' in svg


def test_the_matrix_colours_cells_on_the_stance_scale_and_writes_the_stance():
    svg = matrix_svg(
        rows=[("Macron", "/actors/macron/"), ("Starmer", "/actors/starmer/")],
        columns=[("Troops", "/topics/troops/")],
        cells={(0, 0): MatrixCell(stance=Stance.STRONGLY_SUPPORT, label="Macron: Strongly support", href="/p/1/")},
        title="Stances as of 1 March 2025",
    )
    assert 'fill="#2166ac"' in svg and ">Strongly support</text>" in svg
    assert "<title>Macron: Strongly support</title>" in svg
    assert ">—</text>" in svg  # Starmer has no position: an empty cell, not a colour


def test_an_empty_timeline_says_so():
    assert "No positions or dated claims yet." in timeline_svg([], title="Nothing")


def test_long_titles_wrap_onto_two_lines_and_keep_their_full_text_in_the_tooltip():
    from positions.charts import TimelineRow, timeline_svg

    title = "Peace deal without Ukraine at the negotiating table"
    svg = str(timeline_svg([TimelineRow(title=title)], title="t"))

    assert f"<title>{title}</title>" in svg
    assert ">Peace deal without Ukraine</tspan>" in svg and ">at the negotiating table</tspan>" in svg
    assert "…" not in svg


def test_a_claim_on_the_date_of_a_position_is_drawn_in_its_own_lane_below_the_circles():
    import datetime
    import re

    from positions.charts import ROW_HEIGHT, TOP, TimelineMark, TimelinePoint, TimelineRow, timeline_svg

    day = datetime.date(2025, 2, 17)
    row = TimelineRow(
        title="Troops",
        points=[TimelinePoint(on=day, stance="strongly_oppose", label="Strongly oppose", href="/p/1/")],
        marks=[TimelineMark(on=day, label="Claim", href="/c/1/")],
    )
    svg = str(timeline_svg([row], title="t"))

    circle_y = float(re.search(r'<circle cx="[\d.]+" cy="([\d.]+)" r="7"', svg).group(1))
    diamond_y = float(re.search(r'class="tl-claim"><title>Claim</title><rect x="[\d.]+" y="([\d.]+)"', svg).group(1))
    assert circle_y + 7 < diamond_y  # the lowest circle ends above the diamond's top
    assert diamond_y + 8 * 1.42 < TOP + ROW_HEIGHT  # and the diamond stays inside its row
    assert ">Strongly oppose</text>" in svg  # stance names are not cut
