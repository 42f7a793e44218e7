"""Insecure direct object references: someone else's ids in every URL that takes one. The answer is
404, byte for byte the same as for an id that does not exist, so nothing leaks whether it exists."""

from __future__ import annotations

import json
import uuid

import pytest
from assessments.loading import bundle_load
from assessments.models import Assignment
from courses.models import Course, Enrollment
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from submissions.models import Draft
from submissions.services.submit import submission_create

from tests.platform.conftest import CORRECT_SCALE, MINI, make_user
from tests.platform.hostile_http.helpers import client_for, error_of, snapshot

MISSING = 987_654


@pytest.fixture
def owned(student, code_question):  # type: ignore[no-untyped-def]
    return submission_create(user=student, question=code_question, code=CORRECT_SCALE,
                             idempotency_key="owned-0001").submission


@pytest.fixture
def owner_draft(student, code_question) -> Draft:  # type: ignore[no-untyped-def]
    return Draft.objects.create(user=student, question=code_question, code="secret draft\n", saved_at=timezone.now())


@pytest.fixture
def other_instructor(db):  # type: ignore[no-untyped-def]
    """The instructor of course B, who has no role in course A."""
    other = Course.objects.create(slug="b", title="Course B", join_code="COURSEBB")
    user = make_user("prof-b")
    Enrollment.objects.create(course=other, user=user, role=Enrollment.Role.INSTRUCTOR)
    bundle_load(path=MINI, course=other)
    return user


def same_as_missing(client, url: str, missing_url: str, method: str = "get", **kwargs):  # type: ignore[no-untyped-def]
    response = getattr(client, method)(url, **kwargs)
    missing = getattr(client, method)(missing_url, **kwargs)
    assert response.status_code == 404, (url, response.status_code)
    assert missing.status_code == 404, (missing_url, missing.status_code)
    assert response.content == missing.content, url
    assert response["Content-Type"] == missing["Content-Type"]
    return response


def test_a_fellow_student_gets_404_for_my_submission_and_its_code(fellow, owned):
    client = client_for(fellow)
    for name in ("submissions:status", "submissions:code"):
        response = same_as_missing(client, reverse(name, args=[owned.pk]), reverse(name, args=[MISSING]))
        assert error_of(response) == "Not found." and "def scale" not in response.content.decode()


def test_an_outsider_and_course_b_staff_get_404_for_my_submission(outsider, other_instructor, owned):
    for user in (outsider, other_instructor):
        client = client_for(user)
        for name in ("submissions:status", "submissions:code"):
            same_as_missing(client, reverse(name, args=[owned.pk]), reverse(name, args=[MISSING]))


def test_a_fellow_cannot_reach_my_draft_through_the_question(fellow, owner_draft, code_question):
    client = client_for(fellow)
    page = client.get(reverse("assessments:question", args=[code_question.pk])).content.decode()
    assert "secret draft" not in page
    response = client.post(reverse("submissions:draft", args=[code_question.pk]), json.dumps({"code": "mine\n"}),
                           content_type="application/json")
    assert response.status_code == 200
    assert Draft.objects.get(pk=owner_draft.pk).code == "secret draft\n"  # only the fellow's own row was written


def test_outsiders_get_404_for_the_pages_and_endpoints_of_a_course_they_are_not_in(
    outsider, course, code_question, quiz_question, owned,
):
    client = client_for(outsider)
    pairs = [
        (reverse("courses:detail", args=[course.pk]), reverse("courses:detail", args=[MISSING])),
        (reverse("assessments:assignment", args=[course.pk, code_question.assignment_id]),
         reverse("assessments:assignment", args=[MISSING, MISSING])),
        (reverse("assessments:question", args=[code_question.pk]), reverse("assessments:question", args=[MISSING])),
        (reverse("assessments:question", args=[quiz_question.pk]), reverse("assessments:question", args=[MISSING])),
    ]
    for url, missing in pairs:
        same_as_missing(client, url, missing)
    before = snapshot()
    for name in ("submissions:draft", "submissions:submit"):
        body = json.dumps({"code": CORRECT_SCALE, "idempotency_key": str(uuid.uuid4())})
        response = same_as_missing(client, reverse(name, args=[code_question.pk]), reverse(name, args=[MISSING]),
                                   method="post", data=body, content_type="application/json")
        assert error_of(response) == "Not found."
    same_as_missing(client, reverse("assessments:question", args=[quiz_question.pk]),
                    reverse("assessments:question", args=[MISSING]), method="post", data={"choice": "right"})
    assert snapshot() == before


def test_course_b_staff_get_404_for_every_staff_page_of_course_a(other_instructor, course, code_question, owned):
    client = client_for(other_instructor)
    pairs = [
        (reverse("courses:detail", args=[course.pk]), reverse("courses:detail", args=[MISSING])),
        (reverse("gradebook:table", args=[course.pk]), reverse("gradebook:table", args=[MISSING])),
        (reverse("gradebook:csv", args=[course.pk]), reverse("gradebook:csv", args=[MISSING])),
        (reverse("courses:roster", args=[course.pk]), reverse("courses:roster", args=[MISSING])),
        (reverse("assessments:question_submissions", args=[code_question.pk]),
         reverse("assessments:question_submissions", args=[MISSING])),
        (reverse("assessments:question", args=[code_question.pk]), reverse("assessments:question", args=[MISSING])),
        (reverse("assessments:assignment", args=[course.pk, code_question.assignment_id]),
         reverse("assessments:assignment", args=[MISSING, code_question.assignment_id])),
    ]
    for url, missing in pairs:
        response = same_as_missing(client, url, missing)
        assert "owner" not in response.content.decode()


def test_course_b_staff_cannot_import_a_roster_into_course_a(other_instructor, course):
    client = client_for(other_instructor)
    before = snapshot()

    def upload() -> SimpleUploadedFile:
        return SimpleUploadedFile("r.csv", b"username,role\nprof-b,instructor\n", content_type="text/csv")

    same_as_missing(client, reverse("courses:roster", args=[course.pk]), reverse("courses:roster", args=[MISSING]),
                    method="post", data={"roster": upload()})
    assert snapshot() == before


def test_an_assignment_id_from_course_b_under_course_a_is_404(student, other_instructor, course):
    b_assignment = Assignment.objects.get(course__slug="b")
    client = client_for(student)
    same_as_missing(client, reverse("assessments:assignment", args=[course.pk, b_assignment.pk]),
                    reverse("assessments:assignment", args=[course.pk, MISSING]))


def test_students_get_404_for_staff_pages_of_their_own_course(student, course, code_question):
    client = client_for(student)
    for name, args, missing in [("gradebook:table", [course.pk], [MISSING]), ("gradebook:csv", [course.pk], [MISSING]),
                                ("courses:roster", [course.pk], [MISSING]),
                                ("assessments:question_submissions", [code_question.pk], [MISSING])]:
        same_as_missing(client, reverse(name, args=args), reverse(name, args=missing))


def test_an_unpublished_assignments_questions_look_like_they_do_not_exist(student, code_question):
    assignment = code_question.assignment
    assignment.published = False
    assignment.save()
    client = client_for(student)
    same_as_missing(client, reverse("assessments:question", args=[code_question.pk]),
                    reverse("assessments:question", args=[MISSING]))
    body = json.dumps({"code": CORRECT_SCALE, "idempotency_key": str(uuid.uuid4())})
    same_as_missing(client, reverse("submissions:submit", args=[code_question.pk]),
                    reverse("submissions:submit", args=[MISSING]), method="post", data=body,
                    content_type="application/json")


@pytest.mark.parametrize("number", ["9" * 30, str(2**63), "0"])
def test_absurd_ids_are_404_not_server_errors(student, number):
    client = client_for(student)
    for url in (f"/api/submissions/{number}", f"/api/submissions/{number}/code", f"/questions/{number}/",
                f"/questions/{number}/submissions", f"/courses/{number}/", f"/courses/{number}/roster",
                f"/courses/{number}/assignments/{number}/", f"/courses/1/assignments/{number}/"):
        assert client.get(url).status_code == 404, url
    response = client.post(f"/api/questions/{number}/draft", "{}", content_type="application/json")
    assert response.status_code == 404 and error_of(response)


@pytest.mark.parametrize("path", ["/courses/{n}/gradebook", "/courses/{n}/grading/", "/courses/{n}/scoring/",
                                  "/courses/{n}/insights/", "/authoring/courses/{n}/", "/lti/courses/{n}/",
                                  "/courses/1/insights/questions/{n}/", "/courses/1/grading/answers/{n}/"])
def test_an_absurd_id_in_any_app_is_404(instructor, path):
    assert client_for(instructor).get(path.format(n="9" * 30)).status_code == 404


@pytest.mark.parametrize("spell", [
    lambda n: f"-{n}", lambda n: f"{n}e0", lambda n: hex(n), lambda n: "".join(f"%{ord(c):02X}" for c in str(n)),
    lambda n: f"{n}%00", lambda n: f"..%2f{n}", lambda n: f"0{n}", lambda n: f"{n}/code/", lambda n: f"{n};code",
], ids=["negative", "exponent", "hex", "percent-encoded", "nul", "dot-dot", "leading-zero", "trailing-slash",
        "semicolon"])
def test_other_spellings_of_my_submission_id_show_a_fellow_nothing(fellow, owned, spell):
    response = client_for(fellow).get(f"/api/submissions/{spell(owned.pk)}")
    assert response.status_code == 404 and b"def scale" not in response.content
