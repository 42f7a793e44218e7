"""The code review pages: the role matrix of every staff view (instructor, TA with the regrade
grant, TA without it, a student, another course's staff, an outsider, an anonymous visitor),
anonymity (no name or username in the review page until the review is saved, none in its URL),
and the student's view of line comments (escaped, only on their own submission)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from grading.models import CodeReview, GradingSettings, LineComment
from grading.order import review_token
from scoring.models import ScoreChange

from tests.platform.grading.helpers import *  # noqa: F403
from tests.platform.grading.helpers import client_for
from tests.platform.grading.review_helpers import *  # noqa: F403
from tests.platform.grading.review_helpers import graded

ALLOWED = (200, 302)


@pytest.fixture
def reviewed_setup(course, student, instructor, scale):  # type: ignore[no-untyped-def]
    submission = graded(student, scale)
    comment = LineComment.objects.create(submission=submission, author=instructor, line_start=1, line_end=1, body="원본")
    return submission, comment


def staff_urls(course, scale, submission, comment) -> dict[str, tuple[str, str, dict]]:
    token = review_token(submission.pk)
    return {
        "queue": ("get", reverse("grading:queue", args=[course.pk]), {}),
        "code_question": ("get", reverse("grading:code_question", args=[course.pk, scale.pk]), {}),
        "review": ("get", reverse("grading:code_review", args=[course.pk, token]), {}),
        "save": ("post", reverse("grading:code_review", args=[course.pk, token]), {"checked": ["0"], "action": "save"}),
        "comment_add": ("post", reverse("grading:comment_add", args=[course.pk, token]),
                        {"line_start": "2", "body": "좋아요"}),
        "comment_edit": ("post", reverse("grading:comment_change", args=[course.pk, comment.pk]),
                         {"action": "edit", "body": "바꿈"}),
        "settings": ("post", reverse("grading:settings", args=[course.pk]), {"anonymous": "on"}),
        "split": ("post", reverse("grading:split", args=[course.pk]), {"queue": "code", "graders": []}),
    }


def call(client: Client, method: str, url: str, data: dict):  # type: ignore[no-untyped-def]
    return client.post(url, data) if method == "post" else client.get(url)


# persona -> the views answering 403 (the rest 200/302); None: 404 everywhere.
MATRIX = {
    "instructor": set(),
    "ta_granted": {"comment_edit"},  # the comment is the instructor's
    "ta": {"comment_edit", "settings"},  # no regrade grant: may not change the course's settings
    "student": None,
    "fellow": None,
    "other_staff": None,
    "outsider": None,
}


@pytest.mark.parametrize("persona", list(MATRIX))
def test_role_matrix_of_every_code_review_view(request, persona, course, scale, reviewed_setup):
    submission, comment = reviewed_setup
    client = client_for(request.getfixturevalue(persona))
    forbidden = MATRIX[persona]
    for name, (method, url, data) in staff_urls(course, scale, submission, comment).items():
        status = call(client, method, url, data).status_code
        if forbidden is None:
            assert status == 404, (name, status)
        elif name in forbidden:
            assert status == 403, (name, status)
        else:
            assert status in ALLOWED, (name, status)
    comment.refresh_from_db()
    if forbidden is None or "comment_edit" in forbidden:
        assert comment.body == "원본"
    if forbidden is None:
        assert not CodeReview.objects.exists() and not GradingSettings.objects.exists()
        assert not ScoreChange.objects.exists() and LineComment.objects.count() == 1


def test_anonymous_visitors_are_sent_to_log_in(client, course, scale, reviewed_setup):
    submission, comment = reviewed_setup
    for name, (method, url, data) in staff_urls(course, scale, submission, comment).items():
        response = call(client, method, url, data)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), name
    assert not CodeReview.objects.exists()


def test_a_forged_or_other_course_token_is_404(course, instructor, other_course, other_staff, student, scale):
    submission = graded(student, scale)
    client = client_for(instructor)
    assert client.get(reverse("grading:code_review", args=[course.pk, "MTIz:forged"])).status_code == 404
    other = client_for(other_staff)
    token = review_token(submission.pk)
    assert other.get(reverse("grading:code_review", args=[other_course.pk, token])).status_code == 404


def test_anonymous_grading_hides_the_name_until_the_review_is_saved(course, ta, kim, scale):
    GradingSettings.objects.create(course=course, anonymous=True)
    submission = graded(kim, scale)
    client = client_for(ta)
    listing = client.get(reverse("grading:code_question", args=[course.pk, scale.pk])).content.decode()
    url = reverse("grading:code_review", args=[course.pk, review_token(submission.pk)])
    assert url in listing and "kimminji2024" not in url
    for html in (listing, client.get(url).content.decode()):
        assert "kimminji2024" not in html and "Kimura" not in html and "Minji" not in html
    response = client.post(url, {"checked": ["0"], "action": "save"}, follow=True)
    html = response.content.decode()
    assert "kimminji2024" in html and "Minji Kimura" in html


def test_without_anonymity_the_review_page_names_the_student(course, ta, kim, scale):
    submission = graded(kim, scale)
    html = client_for(ta).get(reverse("grading:code_review", args=[course.pk, review_token(submission.pk)])).content.decode()
    assert "kimminji2024" in html


def test_the_review_page_escapes_code_and_comments(course, ta, student, scale):
    submission = graded(student, scale, code="def scale(x, k):\n    return '<script>alert(1)</script>'\n")
    LineComment.objects.create(submission=submission, author=ta, line_start=2, line_end=2, body="<b>bold</b> & co")
    html = client_for(ta).get(reverse("grading:code_review", args=[course.pk, review_token(submission.pk)])).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert(1)" not in html
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; co" in html


def _status(client: Client, submission) -> dict:  # type: ignore[no-untyped-def]
    response = client.get(reverse("submissions:status", args=[submission.pk]))
    return response.status_code, (response.json() if response.status_code == 200 else {})


def test_the_student_sees_the_comments_beside_their_lines_escaped_once_reviewed(course, ta, student, fellow, scale):
    submission = graded(student, scale)
    owner = client_for(student)
    ta_client = client_for(ta)
    url = reverse("grading:comment_add", args=[course.pk, review_token(submission.pk)])
    assert ta_client.post(url, {"line_start": "2", "line_end": "2", "body": "<i>out</i> 대신 바로 반환"}).status_code == 302
    status, data = _status(owner, submission)
    assert "code-review-result" not in data["feedback_html"]  # not until the review is saved
    review_url = reverse("grading:code_review", args=[course.pk, review_token(submission.pk)])
    ta_client.post(review_url, {"checked": ["0"], "comment": "잘 했어요", "action": "save"})
    status, data = _status(owner, submission)
    html = data["feedback_html"]
    assert "code-review-result" in html and "잘 했어요" in html
    row = html.split('data-line="2"')[1].split("</tr>")[0]
    assert "&lt;i&gt;out&lt;/i&gt; 대신 바로 반환" in row and "<i>out</i>" not in html
    assert data["score"] == 3.0
    code = owner.get(reverse("submissions:code", args=[submission.pk])).json()
    assert "대신 바로 반환" in code["review_html"]
    # Another student of the course sees none of it.
    fellow_client = client_for(fellow)
    assert _status(fellow_client, submission)[0] == 404
    assert fellow_client.get(reverse("submissions:code", args=[submission.pk])).status_code == 404
    own = graded(fellow, scale)
    assert "대신 바로 반환" not in (_status(fellow_client, own)[1]["feedback_html"] or "")


def test_the_queue_page_lists_code_questions_and_the_settings(course, instructor, ta, student, scale):
    graded(student, scale)
    html = client_for(instructor).get(reverse("grading:queue", args=[course.pk])).content.decode()
    row = html.split(f'data-code-question="{scale.pk}"')[1].split("</tr>")[0]
    assert '<td class="num pending-count">1</td>' in row
    assert 'name="anonymous"' in html
    assert 'name="anonymous"' not in client_for(ta).get(reverse("grading:queue", args=[course.pk])).content.decode()
    client_for(instructor).post(reverse("grading:settings", args=[course.pk]), {"anonymous": "on", "shuffled": "on"})
    settings = GradingSettings.objects.get(course=course)
    assert settings.anonymous and settings.shuffled


def test_the_descriptive_answer_pages_follow_the_same_settings(course, ta, ta2, kim, explain):
    from grading.selectors import answer_rows

    from tests.platform.conftest import make_user
    from tests.platform.grading.helpers import answer

    GradingSettings.objects.create(course=course, anonymous=True, shuffled=True)
    given = answer(kim, explain)
    client = client_for(ta)
    listing = client.get(reverse("grading:question", args=[course.pk, explain.pk])).content.decode()
    url = reverse("grading:answer", args=[course.pk, given.pk])
    page = client.get(url).content.decode()
    for html in (listing, page):
        assert "kimminji2024" not in html and "Kimura" not in html
    response = client.post(url, {"checked": ["0"], "action": "save"}, follow=True)
    assert "kimminji2024" in response.content.decode()
    from courses.models import Enrollment

    for n in range(7):
        user = make_user(f"d{n}")
        Enrollment.objects.create(course=course, user=user, role=Enrollment.Role.STUDENT)
        answer(user, explain)
    mine = [row.answer.user_id for row in answer_rows(question=explain, grader=ta)]
    assert mine == [row.answer.user_id for row in answer_rows(question=explain, grader=ta)]
    assert mine != [row.answer.user_id for row in answer_rows(question=explain, grader=ta2)]
