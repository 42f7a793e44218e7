"""Fingerprinting and pairing of submissions (insights.similarity), on code strings."""

from __future__ import annotations

from insights.similarity import (
    code_tokens,
    document_build,
    highlighted_lines,
    matched_tokens,
    pair_similarity,
    similar_pairs,
    winnow,
)

from tests.platform.insights.samples import INDEPENDENT, SOLUTION, TEMPLATE, disguised, renamed


def build(key: str, code: str):  # type: ignore[no-untyped-def]
    return document_build(key=key, code=code, template=TEMPLATE)


def test_a_renamed_copy_scores_high():
    score, shared = pair_similarity(build("a", SOLUTION), build("b", renamed(SOLUTION)))
    assert score >= 0.9 and shared > 20


def test_a_renamed_reformatted_copy_with_reordered_expressions_still_scores_high():
    score, _shared = pair_similarity(build("a", SOLUTION), build("b", disguised(SOLUTION)))
    # Renaming, comments and blank lines cost nothing; the two reordered expressions cost a little.
    assert score >= 0.8


def test_scores_are_the_same_on_every_run():
    # Fingerprints use a stable hash: Python's hash() is salted per process.
    assert build("a", SOLUTION).prints == build("a", SOLUTION).prints
    assert min(build("a", "x = compute(1, 2, 3)\n").prints) == 187381550  # crc32: the same on any machine


def test_an_independent_solution_scores_low():
    score, _shared = pair_similarity(build("a", SOLUTION), build("b", INDEPENDENT))
    assert score < 0.25


def test_template_only_code_is_ignored():
    # Two students who handed in the untouched template (one with a trailing note) share nothing.
    a = build("a", TEMPLATE)
    b = build("b", TEMPLATE + "\n# TODO later\n")
    assert a.prints == {} and b.prints == {}
    assert similar_pairs([a, b], threshold=0.0) == []


def test_template_lines_do_not_count_as_shared_code():
    # Same template, each student adds different lines: without the template removed, the
    # long shared starter would make them look alike.
    filler = "\n".join(f"    # step {i}: do the thing carefully" for i in range(3))
    template = "class Layer:\n    def forward(self, x):\n" + filler + "\n        raise NotImplementedError\n"
    a = template.replace("raise NotImplementedError", "return x * 2 + self.bias.sum(axis=0)")
    b = template.replace("raise NotImplementedError", "out = np.maximum(0, x)\n        return out")
    with_template = pair_similarity(document_build(key="a", code=a, template=template),
                                    document_build(key="b", code=b, template=template))
    assert with_template[1] == 0


def test_identifiers_and_literals_are_normalised_but_attribute_calls_are_kept():
    texts = [t.text for t in code_tokens("total = np.dot(x, 2.5) + len('s')\n")]
    assert texts == ["V", "=", "V", ".", "dot", "(", "V", ",", "N", ")", "+", "len", "(", "S", ")", ";"]


def test_unfinished_code_still_tokenizes_up_to_the_error():
    tokens = code_tokens("def f(x):\n    return (x +\n")
    assert [t.text for t in tokens][:4] == ["def", "V", "(", "V"]


def test_winnowing_selects_the_minimum_of_each_window_once():
    assert winnow([5, 3, 8, 1, 9, 7], window=3) == {3: [1], 1: [3]}
    assert winnow([4, 2], window=3) == {2: [1]}
    assert winnow([], window=3) == {}


def test_pairs_are_sorted_by_similarity_and_filtered_by_threshold():
    docs = [build("orig", SOLUTION), build("copy", disguised(SOLUTION)), build("own", INDEPENDENT)]
    pairs = similar_pairs(docs, threshold=0.5)
    assert [(p.a, p.b) for p in pairs] == [("orig", "copy")]
    everything = similar_pairs(docs, threshold=0.0)
    assert [p.similarity for p in everything] == sorted((p.similarity for p in everything), reverse=True)


def test_highlighting_marks_the_copied_region_in_both_files():
    a, b = build("a", SOLUTION), build("b", disguised(SOLUTION))
    marked_a, marked_b = matched_tokens(a, b)
    lines_a = highlighted_lines(a, marked_a)
    lines_b = highlighted_lines(b, marked_b)
    by_text_a = {"".join(s.text for s in line.segments).strip(): line.marked for line in lines_a}
    assert by_text_a["out = np.dot(self.col, self.col_W) + self.b"]
    assert not by_text_a["class Convolution:"]  # a template line: never shared evidence
    assert "".join(s.text for s in lines_b[0].segments) == "# my own work!"
    assert not lines_b[0].marked  # comments are not code
    # Segments reassemble the exact code, so the page shows it unchanged.
    assert ["".join(s.text for s in line.segments) for line in lines_b] == disguised(SOLUTION).splitlines()


def test_odd_line_separators_do_not_shift_the_highlighting():
    code = "a = 1  # page\x0cbreak\nb = compute(a, 2, 3) + other(4)\r\nc = b\n"
    document = build("a", code)
    lines = highlighted_lines(document, set(range(len(document.tokens))))
    assert ["".join(s.text for s in line.segments) for line in lines] == [
        "a = 1  # page\x0cbreak", "b = compute(a, 2, 3) + other(4)", "c = b"]
    assert "".join(s.text for s in lines[1].segments if s.marked) == "b = compute(a, 2, 3) + other(4)"
