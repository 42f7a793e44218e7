"""Code similarity: token k-grams, winnowed (Schleimer, Wilkerson & Aiken 2003, the MOSS method).

Pipeline per submission: Python's ``tokenize`` -> drop comments and lines copied from the
starter template -> normalise identifiers and literals (renaming variables or changing constants
must not hide copying) -> hash every k consecutive tokens -> keep the minimum hash of every window
of w hashes (winnowing: any shared run of at least k + w - 1 tokens is guaranteed to be found,
with a fraction of the hashes). Pairs are scored by Jaccard similarity of their fingerprint sets,
found through an inverted index so only pairs sharing something are compared.

Pure Python on strings; no ORM here (``insights.similarity_report`` feeds it)."""

from __future__ import annotations

import builtins
import io
import keyword
import tokenize
import zlib
from collections import defaultdict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple

# Chosen on convolution-layer code: a renamed copy scores ~0.97, a renamed copy with reordered
# expressions ~0.86, an independent loop-based solution ~0.12.
K = 5  # tokens per k-gram: shorter runs ("V . V = V ;") are in everybody's code
WINDOW = 4  # winnowing window: guarantees any common run of K + WINDOW - 1 = 8 tokens is seen

_LAYOUT = frozenset({";", "{", "}"})  # the normalised NEWLINE, INDENT and DEDENT
_SKIP_TYPES = {tokenize.COMMENT, tokenize.NL, tokenize.ENCODING, tokenize.ENDMARKER}
# Names nobody renames to hide copying; keeping them makes fingerprints more specific.
_KEPT_NAMES = frozenset(dir(builtins)) | frozenset(keyword.kwlist) | frozenset(keyword.softkwlist)


class Token(NamedTuple):  # a tuple, not a dataclass: hundreds of thousands are made per report
    text: str  # the normalised text the fingerprints are built from
    start: tuple[int, int]  # (line from 1, column) in the original code
    end: tuple[int, int]


@dataclass
class Document:
    key: Hashable  # whatever identifies it to the caller (a submission id)
    code: str
    tokens: list[Token]
    # fingerprint hash -> indices of the tokens starting each k-gram with that hash
    prints: dict[int, list[int]] = field(default_factory=dict)


@dataclass(frozen=True)
class Pair:
    a: Hashable
    b: Hashable
    similarity: float  # Jaccard: shared / union of the two fingerprint sets
    shared: int
    containment: float  # shared / the smaller set: one copied into a longer program


def _raw_tokens(code: str) -> list[tokenize.TokenInfo]:
    """Tokens up to the first error: unfinished code (an open bracket, bad dedent) still counts."""
    tokens: list[tokenize.TokenInfo] = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(code).readline):
            tokens.append(token)
    except (tokenize.TokenError, SyntaxError, ValueError):  # IndentationError is a SyntaxError
        pass
    return tokens


def source_lines(code: str) -> list[str]:
    """The lines exactly as ``tokenize`` numbers them (only "\n" ends a line for it; ``splitlines``
    would also split at form feeds and other separators and shift every line number after)."""
    return [line.rstrip("\r\n") for line in io.StringIO(code).readlines()]


def template_lines(template: str) -> frozenset[str]:
    """The starter template's lines, stripped; blank lines say nothing and are left out."""
    return frozenset(line.strip() for line in source_lines(template) if line.strip())


def code_tokens(code: str, *, skip_lines: frozenset[str] = frozenset()) -> list[Token]:
    """Normalised tokens of ``code``: identifiers become ``V`` (except keywords, builtins and
    attributes of other objects such as ``np.dot`` or ``.reshape``, which students do not rename),
    numbers ``N`` and strings ``S``. Tokens on lines equal to a template line are dropped."""
    lines = source_lines(code)
    result: list[Token] = []
    previous: list[str] = []  # raw text of the last tokens kept, to see "obj . attr"
    for token in _raw_tokens(code):
        if token.type in _SKIP_TYPES:
            continue
        line_index = token.start[0] - 1
        if skip_lines and 0 <= line_index < len(lines) and lines[line_index].strip() in skip_lines:
            continue
        if token.type == tokenize.NAME:
            attribute = len(previous) >= 2 and previous[-1] == "." and previous[-2] != "self"
            text = token.string if token.string in _KEPT_NAMES or attribute else "V"
        elif token.type == tokenize.NUMBER:
            text = "N"
        elif token.type == tokenize.STRING:
            text = "S"
        elif token.type == tokenize.NEWLINE:
            text = ";"
        elif token.type == tokenize.INDENT:
            text = "{"
        elif token.type == tokenize.DEDENT:
            text = "}"
        else:
            text = token.string
        previous = [*previous[-1:], token.string]
        result.append(Token(text=text, start=token.start, end=token.end))
    return result


def kgram_hashes(tokens: Sequence[Token], k: int = K) -> list[int]:
    """A stable hash per k-gram. Not ``hash()``: it is salted per process, which would make the
    winnowed fingerprints, and so the similarity shown, change from one page load to the next."""
    texts = [token.text for token in tokens]
    return [zlib.crc32("\x1f".join(texts[i:i + k]).encode()) for i in range(len(texts) - k + 1)]


def winnow(hashes: Sequence[int], window: int = WINDOW) -> dict[int, list[int]]:
    """The fingerprints: per window of ``window`` hashes, the minimum (the rightmost on ties, so
    overlapping windows agree); hash -> every position it was selected at."""
    selected: dict[int, list[int]] = defaultdict(list)
    if not hashes:
        return {}
    if len(hashes) <= window:
        position = min(range(len(hashes)), key=lambda i: (hashes[i], -i))
        return {hashes[position]: [position]}
    last = -1
    for start in range(len(hashes) - window + 1):
        values = hashes[start:start + window]
        smallest = min(values)
        position = start + window - 1 - values[::-1].index(smallest)  # the rightmost minimum
        if position != last:
            selected[smallest].append(position)
            last = position
    return dict(selected)


@lru_cache(maxsize=32)
def _template_filter(template: str, k: int) -> tuple[frozenset[str], frozenset[int]]:
    """The template's lines and k-gram hashes, once per template rather than once per student."""
    return template_lines(template), frozenset(kgram_hashes(code_tokens(template), k))


def document_build(*, key: Hashable, code: str, template: str = "", k: int = K,
                   window: int = WINDOW) -> Document:
    """Fingerprint one submission, without anything the starter template already contains
    (its lines, and any k-gram of its tokens)."""
    skip_lines, template_hashes = _template_filter(template, k) if template else (frozenset(), frozenset())
    tokens = code_tokens(code, skip_lines=skip_lines)
    prints = winnow(kgram_hashes(tokens, k), window)
    if template_hashes:
        prints = {h: positions for h, positions in prints.items() if h not in template_hashes}
    return Document(key=key, code=code, tokens=tokens, prints=prints)


def similar_pairs(documents: Sequence[Document], *, threshold: float = 0.4,
                  common_share: float = 0.5, min_documents_for_common: int = 8) -> list[Pair]:
    """Pairs at or above ``threshold``, most similar first.

    Fingerprints found in more than ``common_share`` of the submissions are idioms of the
    exercise (the way everyone calls im2col), not evidence of copying: with enough submissions
    to tell, they are ignored."""
    postings: dict[int, list[int]] = defaultdict(list)
    for index, document in enumerate(documents):
        for h in document.prints:
            postings[h].append(index)
    ignored = common_fingerprints(postings, len(documents), common_share, min_documents_for_common)
    sizes = [sum(1 for h in document.prints if h not in ignored) for document in documents]
    pairs = []
    for i, j, count in _shared_counts(postings, ignored, len(documents)):
        union = sizes[i] + sizes[j] - count
        similarity = count / union if union else 0.0
        if similarity >= threshold:
            pairs.append(Pair(a=documents[i].key, b=documents[j].key, similarity=similarity,
                              shared=count, containment=count / max(min(sizes[i], sizes[j]), 1)))
    pairs.sort(key=lambda pair: (-pair.similarity, -pair.shared, str(pair.a), str(pair.b)))
    return pairs


SHARED_BLOCK = 2048  # fingerprints per block of the document x fingerprint matrix (bounds memory)


def _shared_counts(postings: dict[int, list[int]], ignored: set[int],
                   documents: int) -> list[tuple[int, int, int]]:
    """(i, j, fingerprints both hold) for every pair i < j sharing at least one fingerprint.

    The count is a product of the document x fingerprint incidence matrix with its transpose, done
    by NumPy a block of fingerprints at a time: the Python loop over every pair of holders of every
    fingerprint was most of the similarity page (hundreds of holders per idiom of the exercise).
    Exact: counts are small integers in float32."""
    import numpy as np

    holders = [docs for h, docs in postings.items() if h not in ignored and len(docs) >= 2]
    if not holders:
        return []
    shared = np.zeros((documents, documents), dtype=np.float32)
    for start in range(0, len(holders), SHARED_BLOCK):
        block = holders[start:start + SHARED_BLOCK]
        incidence = np.zeros((documents, len(block)), dtype=np.float32)
        rows = np.fromiter((i for docs in block for i in docs), dtype=np.intp)
        columns = np.repeat(np.arange(len(block)), [len(docs) for docs in block])
        incidence[rows, columns] = 1.0
        shared += incidence @ incidence.T
    first, second = np.nonzero(np.triu(shared, k=1))
    counts = shared[first, second].astype(np.int64)
    return list(zip(first.tolist(), second.tolist(), counts.tolist(), strict=True))


def common_fingerprints(postings: dict[int, list[int]], documents: int, share: float,
                        min_documents: int) -> set[int]:
    if documents < min_documents:
        return set()
    limit = share * documents
    return {h for h, holders in postings.items() if len(holders) > limit}


def pair_similarity(a: Document, b: Document, *, ignored: Iterable[int] = ()) -> tuple[float, int]:
    """Jaccard similarity of two fingerprint sets and the number of fingerprints they share."""
    skip = set(ignored)
    prints_a, prints_b = a.prints.keys() - skip, b.prints.keys() - skip
    shared = len(prints_a & prints_b)
    union = len(prints_a | prints_b)
    return (shared / union if union else 0.0), shared


def matched_tokens(a: Document, b: Document, *, k: int = K,
                   ignored: Iterable[int] = ()) -> tuple[set[int], set[int]]:
    """Indices of the tokens of ``a`` and of ``b`` inside a k-gram the other one also has.

    Every k-gram, not only the winnowed fingerprints: the fingerprints decide the score, but a
    reader needs whole shared regions marked, not every third token of them."""
    skip = set(ignored)
    hashes_a, hashes_b = kgram_hashes(a.tokens, k), kgram_hashes(b.tokens, k)
    common = (set(hashes_a) & set(hashes_b)) - skip
    return _covered(hashes_a, common, k), _covered(hashes_b, common, k)


def _covered(hashes: Sequence[int], common: set[int], k: int) -> set[int]:
    covered: set[int] = set()
    for start, h in enumerate(hashes):
        if h in common:
            covered.update(range(start, start + k))
    return covered


@dataclass
class Segment:
    text: str
    marked: bool


@dataclass
class Line:
    number: int
    segments: list[Segment]

    @property
    def marked(self) -> bool:
        return any(segment.marked and segment.text.strip() for segment in self.segments)


def highlighted_lines(document: Document, marked: set[int]) -> list[Line]:
    """The code split into lines of plain and marked segments (the template escapes the text).
    Neighbouring marked tokens on one line are joined with the space between them, so a copied
    region reads as one highlight rather than confetti."""
    lines = source_lines(document.code)
    flags = [[False] * len(line) for line in lines]
    tokens = document.tokens
    for index in sorted(marked):
        token = tokens[index]
        if token.text in _LAYOUT:
            continue  # indentation and line ends: marking them would paint the margin
        start_line, start_col = token.start
        end_line, end_col = token.end
        follower = tokens[index + 1] if index + 1 in marked and index + 1 < len(tokens) else None
        if follower is not None and follower.text not in _LAYOUT and follower.start[0] == end_line:
            end_col = max(end_col, follower.start[1])  # bridge the gap to the next marked token
        for line_no in range(start_line, end_line + 1):
            if not 1 <= line_no <= len(lines):
                continue
            row = flags[line_no - 1]
            first = start_col if line_no == start_line else 0
            last = end_col if line_no == end_line else len(row)
            for col in range(first, min(last, len(row))):
                row[col] = True
    result = []
    for number, (text, row) in enumerate(zip(lines, flags, strict=True), start=1):
        segments: list[Segment] = []
        for char, flag in zip(text, row, strict=True):
            if segments and segments[-1].marked == flag:
                segments[-1].text += char
            else:
                segments.append(Segment(text=char, marked=flag))
        result.append(Line(number=number, segments=segments))
    return result
