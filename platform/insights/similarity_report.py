"""Similarity of a code question's submissions: each student's latest submission, fingerprinted
without the starter template (``insights.similarity``), and the pairs worth a human look."""

from __future__ import annotations

import contextlib
import time
import zlib
from array import array
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from assessments.models import Question, QuestionVersion
from courses.selectors import course_student_ids
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.http import Http404
from submissions.models import Submission

from insights import similarity

COMMON_SHARE = 0.5
MIN_DOCUMENTS_FOR_COMMON = 8
# Bump when tokenizing or fingerprinting changes: cached fingerprints of the old kind must not mix.
FINGERPRINT_VERSION = f"v2-k{similarity.K}-w{similarity.WINDOW}"
FINGERPRINT_CACHE_SECONDS = 7 * 24 * 3600


@dataclass
class Candidate:
    submission_id: int
    user_id: int
    username: str
    name: str
    created_at: datetime
    score: float | None


@dataclass
class FlaggedPair:
    a: Candidate
    b: Candidate
    similarity: float
    containment: float
    shared: int

    @property
    def percent(self) -> int:
        return round(self.similarity * 100)


@dataclass
class SimilarityReport:
    question: Question
    compared: int
    threshold: float
    pairs: list[FlaggedPair]  # the most similar ``limit`` of them
    total_pairs: int  # above the threshold, before the limit
    elapsed_ms: float
    ignored_common: int  # fingerprints shared by so many students they are the exercise's idiom


@dataclass
class _Corpus:
    documents: list[similarity.Document]
    candidates: dict[int, Candidate]
    ignored: set[int]
    template: str


def _corpus(*, question: Question) -> _Corpus:
    users = set(course_student_ids(course=question.assignment.course_id))
    latest: dict[int, int] = {}
    for user_id, submission_id in (
        Submission.objects.filter(question=question, user_id__in=users).exclude(verdict="rejected")
        .order_by("created_at", "id").values_list("user_id", "id")
    ):
        latest[user_id] = submission_id
    rows = list(Submission.objects.filter(id__in=latest.values()).values_list(
        "id", "user_id", "code", "version_id", "created_at", "score"))
    # Students may have started from different versions of the template: strip all of them.
    templates = [
        str((files or {}).get("template", ""))
        for files in QuestionVersion.objects.filter(id__in={row[3] for row in rows}).values_list("files", flat=True)
    ]
    template = "\n".join(templates)
    people = {
        user.pk: user for user in get_user_model().objects.filter(id__in=latest.keys())
    }
    prints = _fingerprints(codes={row[0]: row[2] for row in rows}, template=template)
    documents, candidates = [], {}
    for submission_id, user_id, code, _version, created_at, score in sorted(rows):
        user = people[user_id]
        candidates[submission_id] = Candidate(
            submission_id=submission_id, user_id=user_id, username=user.get_username(),
            name=user.get_full_name() or user.get_username(), created_at=created_at, score=score,
        )
        # Tokens are only needed to highlight a pair: the pair view rebuilds its two documents.
        documents.append(similarity.Document(key=submission_id, code=code, tokens=[], prints=prints[submission_id]))
    postings: dict[int, list[int]] = defaultdict(list)
    for index, document in enumerate(documents):
        for h in document.prints:
            postings[h].append(index)
    ignored = similarity.common_fingerprints(postings, len(documents), COMMON_SHARE, MIN_DOCUMENTS_FOR_COMMON)
    return _Corpus(documents=documents, candidates=candidates, ignored=ignored, template=template)


def _fingerprints(*, codes: dict[int, str], template: str) -> dict[int, dict[int, list[int]]]:
    """Fingerprints per submission id, cached: a submission's code never changes, so only new
    submissions are tokenized on the next page load (tokenizing is most of the cost). The report
    needs only which fingerprints a submission has (the pair view rebuilds its two documents with
    positions), so the cache holds them as packed 32-bit hashes: cheap to load for a whole class."""
    prefix = f"insights:prints:{FINGERPRINT_VERSION}:{zlib.crc32(template.encode())}:"
    try:
        cached = cache.get_many([prefix + str(submission_id) for submission_id in codes])
    except Exception:  # noqa: BLE001 - a cache outage must only cost time, never the page
        cached = {}
    result: dict[int, dict[int, list[int]]] = {}
    fresh: dict[str, bytes] = {}
    for submission_id, code in codes.items():
        key = prefix + str(submission_id)
        packed = cached.get(key)
        if not isinstance(packed, bytes):
            prints = similarity.document_build(key=submission_id, code=code, template=template).prints
            packed = fresh[key] = array("I", sorted(prints)).tobytes()  # crc32 values: 32 bits
        result[submission_id] = dict.fromkeys(array("I", packed), [])
    if fresh:
        with contextlib.suppress(Exception):  # as above: the cache is an optimisation only
            cache.set_many(fresh, timeout=FINGERPRINT_CACHE_SECONDS)
    return result


def similarity_fingerprints_warm(*, submission_ids: list[int]) -> int:
    """The worker, after grading (off the critical path): fingerprint these submissions into the
    cache the similarity page reads, so that the page only counts shared fingerprints. Keyed with
    the submission's own version's template, which is the page's key whenever the compared
    submissions share one version (else the page fingerprints them itself). Returns how many."""
    by_version: dict[tuple[int, str], dict[int, str]] = defaultdict(dict)
    for submission_id, version_id, content_hash, code in Submission.objects.filter(
            id__in=submission_ids).values_list("id", "version_id", "version__content_hash", "code"):
        by_version[(version_id, content_hash)][submission_id] = code
    for version, codes in by_version.items():
        _fingerprints(codes=codes, template=_version_template(version))
    return sum(len(codes) for codes in by_version.values())


# A version's template, per worker process: a version never changes (a changed bundle is a new
# version), so its files, possibly large, are read once, not once per graded submission.
_templates: dict[tuple[int, str], str] = {}
TEMPLATES_KEPT = 256


def _version_template(version: tuple[int, str]) -> str:
    template = _templates.get(version)
    if template is None:
        files = QuestionVersion.objects.filter(id=version[0]).values_list("files", flat=True).first()
        template = str((files or {}).get("template", ""))
        if len(_templates) >= TEMPLATES_KEPT:
            _templates.clear()
        _templates[version] = template
    return template


def question_similarity(*, question: Question, threshold: float = 0.5, limit: int = 200) -> SimilarityReport:
    started = time.perf_counter()
    corpus = _corpus(question=question)
    pairs = similarity.similar_pairs(
        corpus.documents, threshold=threshold, common_share=COMMON_SHARE,
        min_documents_for_common=MIN_DOCUMENTS_FOR_COMMON,
    )
    flagged = [
        FlaggedPair(a=corpus.candidates[int(pair.a)], b=corpus.candidates[int(pair.b)],  # type: ignore[call-overload]
                    similarity=pair.similarity, containment=pair.containment, shared=pair.shared)
        for pair in pairs[:limit]  # nobody reads further; a lower threshold was the real mistake
    ]
    return SimilarityReport(
        question=question, compared=len(corpus.documents), threshold=threshold, pairs=flagged,
        total_pairs=len(pairs),
        elapsed_ms=(time.perf_counter() - started) * 1000, ignored_common=len(corpus.ignored),
    )


@dataclass
class PairView:
    a: Candidate
    b: Candidate
    lines_a: list[similarity.Line]
    lines_b: list[similarity.Line]
    similarity: float
    shared: int


def similarity_pair(*, question: Question, a_id: int, b_id: int) -> PairView:
    """Two of the compared submissions side by side, regions they share marked. Both ids must be
    among this question's compared submissions (anything else is a 404)."""
    corpus = _corpus(question=question)
    by_key = {document.key: document for document in corpus.documents}
    if a_id == b_id or a_id not in by_key or b_id not in by_key:
        raise Http404
    a = similarity.document_build(key=a_id, code=by_key[a_id].code, template=corpus.template)
    b = similarity.document_build(key=b_id, code=by_key[b_id].code, template=corpus.template)
    marked_a, marked_b = similarity.matched_tokens(a, b, ignored=corpus.ignored)
    # Scored with the corpus-wide idioms removed, exactly as in the list of pairs.
    score, shared = similarity.pair_similarity(a, b, ignored=corpus.ignored)
    return PairView(
        a=corpus.candidates[a_id], b=corpus.candidates[b_id],
        lines_a=similarity.highlighted_lines(a, marked_a), lines_b=similarity.highlighted_lines(b, marked_b),
        similarity=score, shared=shared,
    )
