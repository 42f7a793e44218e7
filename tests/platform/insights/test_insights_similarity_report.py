"""The similarity report over stored submissions: latest per student, students only, cached
fingerprints, and a cache outage that costs time but never the page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from insights import similarity
from insights.similarity_report import question_similarity

from tests.platform.insights import factories as f
from tests.platform.insights.samples import INDEPENDENT, SOLUTION, renamed


@pytest.fixture
def stored(student, fellow, instructor, code_question):  # type: ignore[no-untyped-def]
    now = timezone.now()
    f.submission(user=student, question=code_question, at=now - timedelta(minutes=9), code=INDEPENDENT)
    latest = f.submission(user=student, question=code_question, at=now, code=SOLUTION)
    copy = f.submission(user=fellow, question=code_question, at=now, code=renamed(SOLUTION))
    f.submission(user=instructor, question=code_question, at=now, code=SOLUTION)  # staff: not compared
    return latest, copy


def test_each_students_latest_submission_is_compared(stored, code_question):
    latest, copy = stored
    report = question_similarity(question=code_question, threshold=0.5)
    assert report.compared == 2
    assert [(p.a.submission_id, p.b.submission_id) for p in report.pairs] == [(latest.pk, copy.pk)]
    assert report.pairs[0].percent >= 90


def test_fingerprints_are_computed_once_per_submission(stored, code_question, monkeypatch):
    question_similarity(question=code_question)
    calls = []
    original = similarity.document_build
    monkeypatch.setattr(similarity, "document_build", lambda **kw: calls.append(kw["key"]) or original(**kw))
    again = question_similarity(question=code_question)
    assert calls == [] and len(again.pairs) == 1


def test_a_cache_outage_still_gives_the_report(stored, code_question, monkeypatch):
    from django.core.cache import cache

    def down(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        raise ConnectionError("redis is down")

    monkeypatch.setattr(cache, "get_many", down)
    monkeypatch.setattr(cache, "set_many", down)
    assert len(question_similarity(question=code_question).pairs) == 1
