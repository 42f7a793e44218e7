"""The grading pages: who may open them (instructor, TA: yes; student, another course's staff:
404), ids scoped to the course, the grading page's content and its Save / Save & next flow, and
the student's view of the result."""

from __future__ import annotations

import pytest
from assessments.loading import bundle_load
from assessments.models import Assignment
from django.test import Client
from django.urls import reverse
from grading.models import GradingAssignment
from grading.services import grading_split_evenly, manual_grade_save
from scoring.models import ScoreChange
from submissions.models import QuizAnswer

from tests.platform.grading.helpers import *  # noqa: F403 (the shared fixtures)
from tests.platform.grading.helpers import ESSAY, answer, client_for


@pytest.fixture
def given(student, explain) -> QuizAnswer:
    return answer(student, explain, "풀링은 <script>alert(1)</script> 이동에 강합니다.")


def grading_urls(course, explain, given) -> dict[str, tuple[str, str]]:
    return {
        "queue": ("get", reverse("grading:queue", args=[course.pk])),
        "question": ("get", reverse("grading:question", args=[course.pk, explain.pk])),
        "answer": ("get", reverse("grading:answer", args=[course.pk, given.pk])),
        "save": ("post", reverse("grading:answer", args=[course.pk, given.pk])),
        "take": ("post", reverse("grading:take", args=[course.pk, given.pk])),
        "split": ("post", reverse("grading:split", args=[course.pk])),
    }


def call(client: Client, method: str, url: str, data: dict | None = None):  # type: ignore[no-untyped-def]
    return client.post(url, data or {}) if method == "post" else client.get(url)


@pytest.mark.parametrize("persona", ["instructor", "ta"])
def test_staff_may_use_every_grading_page(request, persona, course, explain, given):
    client = client_for(request.getfixturevalue(persona))
    for name, (method, url) in grading_urls(course, explain, given).items():
        data = {"checked": ["0"], "action": "save"} if name == "save" else None
        response = call(client, method, url, data)
        assert response.status_code in (200, 302), (name, response.status_code)


@pytest.mark.parametrize("persona", ["student", "fellow", "other_staff"])
def test_students_and_outsiders_get_404_everywhere(request, persona, course, explain, given):
    client = client_for(request.getfixturevalue(persona))
    for name, (method, url) in grading_urls(course, explain, given).items():
        data = {"checked": ["0", "1", "2"], "action": "save"} if name == "save" else None
        assert call(client, method, url, data).status_code == 404, name
    given.refresh_from_db()
    assert given.score is None and not ScoreChange.objects.filter(quiz_answer=given).exists()
    assert not GradingAssignment.objects.exists()


def test_ids_of_another_course_are_404_even_for_its_own_staff(course, instructor, other_course, other_staff, given, explain):
    """The instructor of course B, using course B's URL with an answer id of course A."""
    bundle_load(path=ESSAY, course=other_course)
    other_explain = Assignment.objects.get(course=other_course, slug="essay").questions.get(slug="explain")
    client = client_for(other_staff)
    for method, url in (
        ("get", reverse("grading:answer", args=[other_course.pk, given.pk])),
        ("post", reverse("grading:answer", args=[other_course.pk, given.pk])),
        ("post", reverse("grading:take", args=[other_course.pk, given.pk])),
        ("get", reverse("grading:question", args=[other_course.pk, explain.pk])),
    ):
        assert call(client, method, url, {"checked": ["0"]}).status_code == 404, url
    assert client.get(reverse("grading:question", args=[other_course.pk, other_explain.pk])).status_code == 200
    # And the other way round: course A's instructor cannot reach course B's rows either.
    assert client_for(instructor).get(reverse("grading:question", args=[course.pk, other_explain.pk])).status_code == 404
    given.refresh_from_db()
    assert given.score is None


def test_auto_graded_answers_are_not_in_the_queue(course, instructor, student, pick):
    auto = QuizAnswer.objects.create(
        user=student, question=pick, version=pick.current_version, answer={"choice": "right"}, seed=1, attempt=1,
    )
    client = client_for(instructor)
    assert client.get(reverse("grading:answer", args=[course.pk, auto.pk])).status_code == 404
    assert client.get(reverse("grading:question", args=[course.pk, pick.pk])).status_code == 404


def test_the_queue_counts_pending_answers_per_question(course, instructor, ta, student, fellow, explain, second):
    answer(student, explain)
    answer(fellow, explain)
    graded = answer(student, second)
    manual_grade_save(answer_id=graded.pk, grader=ta, checked=[0])
    answer(instructor, explain)  # staff trying the question out: not in the queue
    html = client_for(instructor).get(reverse("grading:queue", args=[course.pk])).content.decode()
    assert f'data-question="{explain.pk}"' in html
    explain_row = html.split(f'data-question="{explain.pk}"')[1].split("</tr>")[0]
    second_row = html.split(f'data-question="{second.pk}"')[1].split("</tr>")[0]
    assert '<td class="num pending-count">2</td>' in explain_row
    assert '<td class="num pending-count">0</td>' in second_row


def test_the_grading_page_shows_prompt_model_answer_escaped_answer_and_rubric(course, ta, given):
    html = client_for(ta).get(reverse("grading:answer", args=[course.pk, given.pk])).content.decode()
    assert "최대 풀링을 쓰는 이유를 서술하세요." in html
    assert "모범 답안: 작은 이동에 강하고" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert(1)" not in html
    assert "특징을 강조한다 &lt;b&gt;굵게&lt;/b&gt;" in html
    assert html.count('name="checked"') == 3


def test_save_writes_the_grade_and_stays(course, ta, given):
    url = reverse("grading:answer", args=[course.pk, given.pk])
    response = client_for(ta).post(url + "?who=all", {"checked": ["0", "2"], "comment": "잘 했어요", "action": "save"})
    assert response.status_code == 302 and response["Location"].startswith(url)
    given.refresh_from_db()
    assert given.score == 3.0 and given.feedback == "잘 했어요"
    change = ScoreChange.objects.get(quiz_answer=given)
    assert change.source == ScoreChange.Source.MANUAL and change.actor.username == "ta1"


def test_save_and_next_goes_to_the_next_pending_answer_then_back_to_the_list(course, ta, student, fellow, explain):
    first = answer(fellow, explain)  # "fellow" sorts before "owner"
    second_answer = answer(student, explain)
    client = client_for(ta)
    response = client.post(reverse("grading:answer", args=[course.pk, first.pk]) + "?who=all",
                           {"checked": ["0"], "action": "save_next"})
    assert response["Location"] == reverse("grading:answer", args=[course.pk, second_answer.pk]) + "?who=all"
    response = client.post(response["Location"], {"checked": ["1"], "action": "save_next"})
    assert response["Location"].startswith(reverse("grading:question", args=[course.pk, explain.pk]))
    assert QuizAnswer.objects.get(pk=second_answer.pk).score == 1.0


def test_a_stale_form_is_refused_with_409_and_keeps_the_ticks(course, ta, ta2, given):
    url = reverse("grading:answer", args=[course.pk, given.pk])
    manual_grade_save(answer_id=given.pk, grader=ta2, checked=[0])  # while ta looked at it
    response = client_for(ta).post(url, {"checked": ["0", "1", "2"], "based_on": "", "action": "save"})
    assert response.status_code == 409
    assert QuizAnswer.objects.get(pk=given.pk).score == 1.0
    html = response.content.decode()
    assert html.count('name="checked" value="2" data-points="2" checked') == 1
    # Saving again from the re-rendered form replaces the other grade on purpose.
    based_on = html.split('name="based_on" value="')[1].split('"')[0]
    client_for(ta).post(url, {"checked": ["0", "1", "2"], "based_on": based_on, "action": "save"})
    assert QuizAnswer.objects.get(pk=given.pk).score == 3.0


def test_an_invalid_adjustment_is_a_400_and_saves_nothing(course, ta, given):
    url = reverse("grading:answer", args=[course.pk, given.pk])
    response = client_for(ta).post(url, {"checked": ["0"], "adjustment": "99", "action": "save"})
    assert response.status_code == 400
    assert QuizAnswer.objects.get(pk=given.pk).score is None


def test_a_superseded_answer_page_links_to_the_newest(course, ta, student, explain):
    old = answer(student, explain, "첫 답")
    new = answer(student, explain, "둘째 답")
    html = client_for(ta).get(reverse("grading:answer", args=[course.pk, old.pk])).content.decode()
    assert "superseded" in html and reverse("grading:answer", args=[course.pk, new.pk]) in html
    response = client_for(ta).post(reverse("grading:answer", args=[course.pk, old.pk]), {"checked": ["0"]})
    assert response.status_code == 409 and QuizAnswer.objects.get(pk=old.pk).score is None


def test_mine_is_the_default_once_work_is_split_and_others_can_be_taken(course, ta, ta2, student, fellow, explain):
    mine = answer(fellow, explain)
    theirs = answer(student, explain)
    grading_split_evenly(course=course, grader_ids=[ta.pk, ta2.pk])  # fellow -> ta, owner -> ta2
    client = client_for(ta)
    html = client.get(reverse("grading:question", args=[course.pk, explain.pk])).content.decode()
    assert reverse("grading:answer", args=[course.pk, mine.pk]) in html
    assert reverse("grading:answer", args=[course.pk, theirs.pk]) not in html
    html = client.get(reverse("grading:question", args=[course.pk, explain.pk]) + "?who=all").content.decode()
    assert reverse("grading:answer", args=[course.pk, theirs.pk]) in html
    client.post(reverse("grading:take", args=[course.pk, theirs.pk]))
    assert GradingAssignment.objects.get(question=explain, student=student).grader == ta


def test_the_split_form_assigns_answers(course, instructor, ta, ta2, student, fellow, explain):
    answer(student, explain)
    answer(fellow, explain)
    response = client_for(instructor).post(reverse("grading:split", args=[course.pk]),
                                           {"graders": [str(ta.pk), str(ta2.pk)], "question": ""})
    assert response.status_code == 302
    assert sorted(GradingAssignment.objects.values_list("grader__username", flat=True)) == ["ta1", "ta2"]


def test_the_student_sees_score_ticked_items_and_comment(course, ta, student, given, explain):
    manual_grade_save(answer_id=given.pk, grader=ta, checked=[0, 2], comment="근거가 <좋아요>")
    html = client_for(student).get(reverse("assessments:question", args=[explain.pk])).content.decode()
    assert "3 / 3" in html
    assert "위치 변화에 강하다" in html and "특징을 강조한다 &lt;b&gt;굵게&lt;/b&gt;" in html
    assert "파라미터가 없다" not in html  # an item not met is not listed
    assert "근거가 &lt;좋아요&gt;" in html


def test_the_course_page_links_to_the_queue_for_staff_only(course, instructor, student):
    url = reverse("courses:detail", args=[course.pk])
    assert reverse("grading:queue", args=[course.pk]) in client_for(instructor).get(url).content.decode()
    assert reverse("grading:queue", args=[course.pk]) not in client_for(student).get(url).content.decode()


def test_anonymous_visitors_are_sent_to_log_in(course, given):
    response = Client().get(reverse("grading:answer", args=[course.pk, given.pk]))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")




def test_the_split_form_preticks_the_tas(course, instructor, ta, student, explain):
    answer(student, explain)
    html = client_for(instructor).get(reverse("grading:queue", args=[course.pk])).content.decode()
    boxes = {line.split('value="')[1].split('"')[0]: line.rstrip().endswith("checked>")
             for line in html.splitlines() if 'name="graders"' in line}
    assert boxes == {str(instructor.pk): False, str(ta.pk): True}


def test_the_course_page_offers_the_import_only_with_the_regrade_grant(course, instructor, ta):
    url = reverse("courses:detail", args=[course.pk])
    import_url = reverse("gradebook:import", args=[course.pk])
    assert import_url in client_for(instructor).get(url).content.decode()
    assert import_url not in client_for(ta).get(url).content.decode()
