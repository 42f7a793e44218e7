"""Seeds: stable for a student's quiz variant, fresh for every code attempt, all dependent on the
server secret."""

from __future__ import annotations

from assessments.seeds import attempt_seed, student_seed


def test_the_same_student_and_question_always_get_the_same_seed(settings):
    assert student_seed(user_id=3, question_id=7) == student_seed(user_id=3, question_id=7)


def test_students_and_questions_get_different_seeds(settings):
    seeds = {student_seed(user_id=user, question_id=question) for user in range(20) for question in range(20)}
    assert len(seeds) == 400
    assert all(0 <= seed < 2**63 for seed in seeds)


def test_the_seed_depends_on_the_server_secret(settings):
    before = student_seed(user_id=1, question_id=1)
    settings.GRADING_SEED_SECRET = "another secret"
    assert student_seed(user_id=1, question_id=1) != before


def test_each_attempt_gets_its_own_reproducible_seed(settings):
    seeds = [attempt_seed(user_id=3, question_id=7, attempt=n) for n in range(1, 50)]
    assert len(set(seeds)) == len(seeds)
    assert seeds[0] == attempt_seed(user_id=3, question_id=7, attempt=1)  # a regrade draws the same
    assert student_seed(user_id=3, question_id=7) not in seeds
