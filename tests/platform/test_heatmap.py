"""The mismatch map of a failing array check, drawn as inline SVG on the server."""

from __future__ import annotations

import numpy as np
import pytest
from django.template.loader import render_to_string
from django.utils import translation
from submissions.heatmap import heatmap_svg

from grader.checks.arrays import compare_arrays


def failing_details() -> dict:
    expected = np.random.default_rng(0).normal(size=(2, 3, 6, 6))
    got = expected.copy()
    got[1, 2, 4, 5] += 1.0
    got[1, 2, 0, 3] += 0.01
    got[0, 0, 1, 1] += 5.0
    return compare_arrays("out", expected, got, 1e-5, 1e-7).details


def test_the_grader_maps_the_worst_slice_and_its_first_wrong_index():
    heatmap = failing_details()["heatmap"]
    assert heatmap["slice"] == [1, 2] and heatmap["shape"] == [6, 6] and heatmap["wrong"] == 2
    assert heatmap["first"] == [0, 3] and heatmap["block"] == [1, 1]
    cells = np.array(heatmap["cells"])
    assert cells[4, 5] > cells[0, 3] > 0 and (cells > 0).sum() == 2  # further off is darker


def test_a_large_plane_is_shown_in_blocks_of_at_most_32_cells():
    expected = np.zeros((1, 1, 100, 70))
    got = expected.copy()
    got[0, 0, 50:, 3] = 1.0
    heatmap = compare_arrays("x", expected, got, 1e-5, 1e-7).details["heatmap"]
    assert heatmap["block"] == [4, 3] and len(heatmap["cells"]) == 25 and len(heatmap["cells"][0]) == 24
    assert heatmap["first"] == [50, 3] and heatmap["cells"][12][1] == 9 and heatmap["cells"][11][1] == 0


def test_the_svg_marks_the_first_wrong_cell_and_says_where_in_both_languages():
    details = failing_details()
    with translation.override("en"):
        svg = str(heatmap_svg(details["heatmap"]))
    assert svg.startswith('<figure class="heatmap"><svg role="img"') and svg.count('class="hm-') == 4  # grid, 2, first
    assert 'class="hm-first"' in svg and 'x="30" y="0"' in svg and "(1, 2, 0, 3)" in svg and "[1, 2, :, :]" in svg
    with translation.override("ko"):
        assert "처음 틀린 인덱스" in str(heatmap_svg(details["heatmap"]))


@pytest.mark.parametrize("forged", [
    None, "x", {}, {"cells": "<script>"}, {"cells": [[1, 2], [3]]}, {"cells": [[10]]},
    {"cells": [["<b>"]], "shape": [1, 1], "block": [1, 1], "first": [0, 0], "slice": []},
    {"cells": [[1]] * 33, "shape": [1, 1], "block": [1, 1], "first": [0, 0], "slice": []},
    {"cells": [[1]], "shape": [1, 1], "block": [1, 1], "first": [0, 0], "slice": ["<i>"]},
    {"cells": [[True]], "shape": [1, 1], "block": [1, 1], "first": [0, 0], "slice": []},
])
def test_a_stored_map_that_is_not_exactly_right_draws_nothing(forged):
    assert heatmap_svg(forged) == ""


def test_the_feedback_shows_the_map_under_a_failing_visible_check_only():
    details = {"compares": [{"passed": True}, {**failing_details(), "passed": False}], "ms": 1.0}
    checks = [
        {"name": "forward", "passed": False, "hidden": False, "score": 0, "max_score": 1, "message": "differ",
         "hint": "", "details": details},
        {"name": "hidden check 1", "passed": False, "hidden": True, "score": 0, "max_score": 1,
         "message": "hidden check failed", "hint": "", "details": details},
    ]
    submission = {"status": "graded", "score": 0, "max_score": 2, "late_days": 0}
    html = render_to_string("submissions/feedback.html", {
        "submission": submission, "result": {"status": "failed", "checks": checks}, "checks": checks,
        "revealed": False,
    })
    assert html.count('<figure class="heatmap">') == 1
