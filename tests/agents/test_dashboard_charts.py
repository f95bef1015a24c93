"""The SVG charts are well-formed XML, escape every label and draw what they are given."""

import xml.etree.ElementTree as ET

from agents import charts

SVG = "{http://www.w3.org/2000/svg}"
EVIL = '<script>alert("x")</script> & “引号”'


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 (our own output, parsed to prove it is well-formed)


def _texts(root: ET.Element) -> list[str]:
    return ["".join(node.itertext()) for node in root.iter() if node.tag in (f"{SVG}text", f"{SVG}title")]


def test_a_bar_chart_is_well_formed_and_escapes_its_labels():
    svg = charts.bar_chart(chart_id="c", title=EVIL, rows=[(EVIL, 3), ("A0", 1)])

    root = _parse(svg)
    assert "<script" not in svg
    assert root.find(f"{SVG}script") is None
    assert EVIL in _texts(root)  # the title, intact once parsed
    assert any(text.startswith("<script>") for text in _texts(root))


def test_bar_lengths_follow_the_values():
    root = _parse(charts.bar_chart(chart_id="c", title="t", rows=[("a", 4), ("b", 2), ("c", 0)]))

    widths = [int(rect.get("width")) for rect in root.iter(f"{SVG}rect")]
    assert widths[0] == 2 * widths[1] and widths[2] == 0


def test_a_stacked_chart_draws_one_part_per_nonzero_value_and_a_legend():
    svg = charts.stacked_bar_chart(
        chart_id="s", title="t", series=["低", "高", EVIL], rows=[("新", [1, 0, 2]), (EVIL, [0, 0, 0])]
    )

    root = _parse(svg)
    parts = [rect for rect in root.iter(f"{SVG}rect") if rect.find(f"{SVG}title") is not None]
    assert len(parts) == 2
    assert "<script" not in svg


def test_a_column_chart_has_one_column_per_day_and_labels_the_last_day():
    columns = [(f"12-{day:02d}", day % 3) for day in range(1, 31)]

    root = _parse(charts.column_chart(chart_id="d", title="t", columns=columns))

    assert len(list(root.iter(f"{SVG}rect"))) == 30
    assert "12-30" in _texts(root)


def test_charts_of_nothing_are_still_valid_svg():
    for svg in (
        charts.bar_chart(chart_id="e", title="t", rows=[]),
        charts.column_chart(chart_id="e", title="t", columns=[]),
        charts.stacked_bar_chart(chart_id="e", title="t", series=[], rows=[]),
    ):
        assert _parse(svg).tag == f"{SVG}svg"
