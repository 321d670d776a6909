"""The interval chart: two estimates a row, each a dot at its mean over its interval."""

import re

from apps.quality.dashboard.svg import interval_chart

AS_IS = {"mean": 4.0, "low": 3.0, "high": 5.0}
SCENARIO = {"mean": 2.0, "low": 1.5, "high": 2.5}


def test_each_estimate_is_a_dot_on_its_interval_and_empty_rows_are_left_out():
    svg = interval_chart(
        [("median hours", AS_IS, SCENARIO), ("SLA", AS_IS, None), ("nothing", None, None)],
        names=("as-is", "scenario"),
    )
    assert svg.count("<circle") == 3
    assert "nothing" not in svg and "median hours" in svg and "SLA" in svg
    assert "2.0 [1.5, 2.5]" in svg
    # The first row's scale covers both: the scenario's dot lies left of the as-is interval.
    dots = [float(x) for x in re.findall(r'<circle cx="([\d.]+)"', svg)]
    starts = [
        float(x)
        for x in re.findall(
            r'<line x1="([\d.]+)" y1="[\d.]+" x2="[\d.]+" y2="[\d.]+" stroke="#1f77b4"', svg
        )
    ]
    assert dots[1] < starts[0]


def test_no_estimate_at_all_says_so():
    assert "No estimates" in interval_chart(
        [("x", None, None)], names=("a", "b"), label="No estimates"
    )


def test_a_long_name_takes_two_lines_and_a_row_may_write_its_own_figures():
    pair = "consults from IT support to Finance"
    svg = interval_chart(
        [
            (f"{pair}, OLA acceptance met (share)", AS_IS, SCENARIO, lambda v: f"{v * 10:.0f} %"),
            (f"{pair}, declined or expired (share)", AS_IS, SCENARIO),
        ],
        names=("as-is", "scenario"),
    )
    lines = re.findall(r"<tspan[^>]*>([^<]*)</tspan>", svg)
    assert lines[0] == lines[2] == "consults from IT support to"
    assert lines[1].startswith("Finance, OLA acceptance met")
    assert lines[3].startswith("Finance, declined or expired")
    assert "20 % [15 %, 25 %]" in svg and "2.0 [1.5, 2.5]" in svg
