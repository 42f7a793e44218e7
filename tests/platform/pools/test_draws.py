"""Drawing: k of the pool per student, from their seed; stored on first view and kept when the
pool changes later; the loader keeps pools in step with bundle.yaml."""

from __future__ import annotations

from pathlib import Path

import pytest
from assessments.loading import bundle_load
from assessments.models import Assignment

from pools.models import PoolDraw, PoolMember, QuestionPool
from pools.selectors import draw_order, pool_layout
from pools.services import pool_draws_store
from tests.platform.pools.conftest import MEMBERS, edit
from tests.platform.scoring.helpers import enroll


def drawn_slugs(assignment: Assignment, user) -> set[str]:  # type: ignore[no-untyped-def]
    layout = pool_layout(assignment_ids=[assignment.pk], user_ids=[user.pk])
    pool = QuestionPool.objects.get(assignment=assignment)
    ids = layout.drawn(user_id=user.pk, pool_id=pool.pk)
    return set(assignment.questions.filter(pk__in=ids).values_list("slug", flat=True))


def test_the_loader_stores_the_pool_and_its_members(pooled: Assignment) -> None:
    pool = QuestionPool.objects.get(assignment=pooled)
    assert (pool.name, pool.draw, pool.points) == ("warmup", 2, 2.0)
    assert sorted(PoolMember.objects.filter(pool=pool).values_list("question__slug", flat=True)) == MEMBERS


def test_loading_again_changes_nothing(course, pooled: Assignment, pooled_dir: Path) -> None:  # type: ignore[no-untyped-def]
    report = bundle_load(path=pooled_dir, course=course)
    assert not report.changed


def test_each_student_gets_k_members_the_same_every_time(pooled: Assignment, student, fellow) -> None:  # type: ignore[no-untyped-def]
    first = drawn_slugs(pooled, student)
    assert len(first) == 2 and first <= set(MEMBERS)
    assert drawn_slugs(pooled, student) == first  # nothing stored yet: computed again, identically


def test_the_draw_depends_on_the_seed(pooled: Assignment, student, settings) -> None:  # type: ignore[no-untyped-def]
    pool = QuestionPool.objects.get(assignment=pooled)
    members = list(pool.members.values_list("question_id", flat=True))
    orders = set()
    for secret in ("one", "two", "three", "four", "five", "six"):
        settings.GRADING_SEED_SECRET = secret
        orders.add(tuple(draw_order(user_id=student.pk, assignment_id=pooled.pk, pool_name="warmup", member_ids=members)))
    assert len(orders) > 1  # not the same questions for everyone


def test_students_are_spread_over_the_members(course, pooled: Assignment) -> None:  # type: ignore[no-untyped-def]
    students = [enroll(course, f"s{n}") for n in range(40)]
    given = {slug: 0 for slug in MEMBERS}
    for user in students:
        for slug in drawn_slugs(pooled, user):
            given[slug] += 1
    assert sum(given.values()) == 80
    assert all(count > 0 for count in given.values())


def test_the_first_view_stores_the_draw(pooled: Assignment, student) -> None:  # type: ignore[no-untyped-def]
    expected = drawn_slugs(pooled, student)
    pool_draws_store(assignment_id=pooled.pk, user_id=student.pk)
    pool_draws_store(assignment_id=pooled.pk, user_id=student.pk)  # a second view adds nothing
    stored = set(PoolDraw.objects.filter(user=student).values_list("question__slug", flat=True))
    assert stored == expected and PoolDraw.objects.filter(user=student).count() == 2


def test_a_stored_draw_survives_the_pool_growing(course, pooled: Assignment, pooled_dir: Path, student, settings):  # type: ignore[no-untyped-def]
    pool_draws_store(assignment_id=pooled.pk, user_id=student.pk)
    seen = drawn_slugs(pooled, student)
    # Grow the pool: four more members, so a fresh draw would most likely differ.
    bundle = pooled_dir / "bundle.yaml"
    extra = [f"pick-{letter}" for letter in "efgh"]
    for slug in extra:
        target = pooled_dir / "questions" / slug
        target.mkdir()
        for name in ("question.yaml", "prompt.ko.md", "prompt.en.md"):
            (target / name).write_text((pooled_dir / "questions" / "pick-a" / name).read_text())
    edit(bundle, "pick-d]", "pick-d, " + ", ".join(extra) + "]")  # in questions and in the pool
    report = bundle_load(path=pooled_dir, course=course)
    assert any("pool warmup" in line for line in report.changes)
    assert PoolMember.objects.filter(pool__assignment=pooled).count() == 8
    assert drawn_slugs(pooled, student) == seen


def test_a_student_who_has_not_looked_yet_gets_a_draw_from_the_grown_pool(course, pooled, pooled_dir, fellow):  # type: ignore[no-untyped-def]
    edit(pooled_dir / "bundle.yaml", "draw: 2", "draw: 3")
    bundle_load(path=pooled_dir, course=course)
    assert len(drawn_slugs(pooled, fellow)) == 3


def test_a_member_leaving_the_pool_is_replaced_and_the_rest_kept(course, pooled, pooled_dir, student):  # type: ignore[no-untyped-def]
    pool_draws_store(assignment_id=pooled.pk, user_id=student.pk)
    seen = sorted(drawn_slugs(pooled, student))
    gone, kept = seen
    members = [slug for slug in MEMBERS if slug != gone]
    edit(pooled_dir / "bundle.yaml", "[pick-a, pick-b, pick-c, pick-d]\n", f"[{', '.join(members)}]\n")
    bundle_load(path=pooled_dir, course=course)
    now = drawn_slugs(pooled, student)
    assert kept in now and gone not in now and len(now) == 2


def test_removing_the_pool_gives_every_question_to_everyone(course, pooled, pooled_dir, student):  # type: ignore[no-untyped-def]
    pool_draws_store(assignment_id=pooled.pk, user_id=student.pk)
    text = (pooled_dir / "bundle.yaml").read_text()
    (pooled_dir / "bundle.yaml").write_text(text.split("pools:")[0] + "policy:" + text.split("policy:")[1])
    report = bundle_load(path=pooled_dir, course=course)
    assert any("- pool warmup" in line for line in report.changes)
    layout = pool_layout(assignment_ids=[pooled.pk], user_ids=[student.pk])
    assert all(layout.counts(user_id=student.pk, question_id=q.pk) for q in pooled.questions.all())


@pytest.mark.parametrize("draw", [1, 4])
def test_max_points_count_per_slot(course, pooled, pooled_dir, draw):  # type: ignore[no-untyped-def]
    edit(pooled_dir / "bundle.yaml", "draw: 2", f"draw: {draw}")
    bundle_load(path=pooled_dir, course=course)
    layout = pool_layout(assignment_ids=[pooled.pk])
    questions = list(pooled.questions.filter(active=True))
    assert layout.max_points(questions) == 1 + draw * 2
    assert layout.slot_count(questions) == 1 + draw
