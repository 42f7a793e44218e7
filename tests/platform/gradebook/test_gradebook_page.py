"""The gradebook page: the overview (course total first, one column per assignment with points and
percent), the drill-down into one assignment's questions, server-side sorting by any column
(``aria-sort``, invalid keys fall back to the name), and the same statuses per persona as before."""

from __future__ import annotations

import re

import pytest
from courses.models import Enrollment
from django.http import QueryDict
from django.test import Client
from django.urls import reverse
from gradebook.matrix import MatrixFilters, gradebook_matrix
from gradebook.page import gradebook_page
from grading.services import manual_grade_save
from submissions.services.quiz import quiz_answer_create

from tests.platform.conftest import make_user
from tests.platform.grading.helpers import *  # noqa: F403 (the shared fixtures)
from tests.platform.grading.helpers import answer, client_for


@pytest.fixture
def alice(course):  # type: ignore[no-untyped-def]
    user = make_user("alice")
    Enrollment.objects.create(course=course, user=user, role=Enrollment.Role.STUDENT)
    return user


@pytest.fixture
def scored(student, fellow, alice, ta, explain, pick, quiz_question):  # type: ignore[no-untyped-def]
    """owner: explain 2, pick 1, quiz 2 (total 5). fellow: explain pending (0). alice: quiz 2 (2)."""
    manual_grade_save(answer_id=answer(student, explain).pk, grader=ta, checked=[0, 1])
    quiz_answer_create(user=student, question=pick, data={"choice": ["right"]})
    quiz_answer_create(user=student, question=quiz_question, data={"choice": ["right"]})
    answer(fellow, explain)
    quiz_answer_create(user=alice, question=quiz_question, data={"choice": ["right"]})


def get(user, course, query: str = "", language: str = "en") -> str:  # type: ignore[no-untyped-def]
    response = client_for(user).get(reverse("gradebook:table", args=[course.pk]) + query, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    # The logout form's random CSRF token could contain any short string the tests look for ("q4").
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', 'name="csrfmiddlewaretoken"', response.content.decode())


def columns(html: str) -> list[str]:
    return re.findall(r'data-column="([^"]+)"', html)


def students(html: str) -> list[str]:
    return re.findall(r'data-student="([^"]+)"', html)


def row_of(html: str, username: str) -> str:
    return html.split(f'data-student="{username}"')[1].split("</tr>")[0]


def sorted_header(html: str) -> str:
    (header,) = re.findall(r'<th [^>]*aria-sort="[^"]+"[^>]*>', html)
    return header


def test_the_overview_has_the_total_first_then_one_column_per_assignment(course, instructor, scored, essay,
                                                                         quiz_assignment, explain):
    html = get(instructor, course)
    assert columns(html) == ["total", f"a{essay.pk}", f"a{quiz_assignment.pk}"]
    owner = row_of(html, "owner")
    # essay 3 of 6 points (explain 3, second 2, pick 1), quiz 2 of 2; total 5 of 8
    assert re.findall(r'<td class="num (?:total|sum)[a-z ]*">([^<]*)<small class="pct">([^<]*)</small>', owner) == [
        ("5 ", "63%"), ("3 ", "50%"), ("2 ", "100%"),
    ]
    assert "pending" in row_of(html, "fellow") and "pending" not in owner
    assert f"?assignment={essay.pk}" in html  # the drill-down link in the essay's header
    assert f"q{explain.pk}" not in html and "explain" not in html


def test_the_drill_down_shows_only_that_assignments_questions(course, instructor, scored, essay, explain, second,
                                                            pick, quiz_question):
    html = get(instructor, course, f"?assignment={essay.pk}")
    assert columns(html) == ["total", f"q{explain.pk}", f"q{second.pk}", f"q{pick.pk}"]
    assert f"q{quiz_question.pk}" not in html
    owner = row_of(html, "owner")
    assert '<td class="num total">3 <small class="pct">50%</small></td>' in owner
    assert owner.count('class="num cell') == 3 and '<td class="num cell">2</td>' in owner
    assert "pending" in row_of(html, "fellow")
    assert reverse("gradebook:student", args=[course.pk, scored_owner_id(course)]) in owner
    back = re.search(r'<p class="gradebook-back"><a href="([^"]*)">', html)
    assert back is not None and "assignment" not in back.group(1)
    assert columns(get(instructor, course, back.group(1).replace("&amp;", "&"))) == [
        "total", f"a{essay.pk}", f"a{scored_quiz_id(course)}",
    ]


def cells_of(row: str) -> list[str]:
    return re.findall(r'<td class="num cell[^"]*">.*?</td>', row)


def test_the_drill_down_cells_show_scores_untried_and_pending_in_both_languages(course, instructor, scored, essay):
    html = get(instructor, course, f"?assignment={essay.pk}")
    # explain, second, pick: owner 2, never tried, 1; fellow: explain waits for staff, nothing else tried
    assert cells_of(row_of(html, "owner")) == [
        '<td class="num cell">2</td>', '<td class="num cell">—</td>', '<td class="num cell">1</td>',
    ]
    assert cells_of(row_of(html, "fellow")) == [
        '<td class="num cell pending"> <span class="badge">pending</span></td>',
        '<td class="num cell">—</td>', '<td class="num cell">—</td>',
    ]
    korean = get(instructor, course, f"?assignment={essay.pk}", language="ko")
    assert cells_of(row_of(korean, "fellow"))[0] == '<td class="num cell pending"> <span class="badge">채점 대기</span></td>'
    overview = row_of(get(instructor, course, language="ko"), "fellow")
    assert '<td class="num sum pending">0 <small class="pct">0%</small> <span class="badge">채점 대기</span></td>' in overview


def test_a_question_not_given_to_the_student_is_marked_in_the_drill_down(course, scored, essay):
    matrix = gradebook_matrix(course=course, filters=MatrixFilters(assignment_id=essay.pk))
    owner_row = next(row for row in matrix.rows if row.enrollment.user.username == "owner")
    owner_row.cells[1].given = False  # as a pooled question drawn for other students (pools)
    page = gradebook_page(matrix=matrix, params=QueryDict(), drilled=True,
                          labels={"name": "n", "total": "t", "sum": "s"})
    rows = {row.username: row for row in page.rows}
    assert cells_of(rows["owner"].cells_html) == [
        '<td class="num cell">2</td>', '<td class="num cell not-given">—</td>', '<td class="num cell">1</td>',
    ]
    assert '<td class="num cell not-given">' not in rows["alice"].cells_html
    assert rows["owner"].total_html == '<td class="num total">3 <small class="pct">50%</small></td>'


def scored_owner_id(course) -> int:  # type: ignore[no-untyped-def]
    return Enrollment.objects.get(course=course, user__username="owner").user_id


def scored_quiz_id(course) -> int:  # type: ignore[no-untyped-def]
    return course.assignments.get(slug="quiz").pk


def test_the_default_sort_is_the_name_ascending(course, instructor, scored):
    html = get(instructor, course)
    assert students(html) == ["alice", "fellow", "owner"]
    assert 'class="student"' in sorted_header(html) and 'aria-sort="ascending"' in sorted_header(html)


def test_sorting_by_total_descending_and_back(course, instructor, scored):
    html = get(instructor, course, "?sort=total&dir=desc")
    assert students(html) == ["owner", "alice", "fellow"]
    header = sorted_header(html)
    assert 'data-column="total"' in header and 'aria-sort="descending"' in header
    # The sorted column's link turns the direction around; the others start descending (name: ascending).
    total_th = html.split('data-column="total"')[1].split("</th>")[0]
    assert 'href="?sort=total&amp;dir=asc"' in total_th
    assert students(get(instructor, course, "?sort=total&dir=asc")) == ["fellow", "alice", "owner"]
    assert students(get(instructor, course, "?sort=name&dir=desc")) == ["owner", "fellow", "alice"]


def test_sorting_by_an_assignment_and_by_a_question(course, instructor, scored, essay, quiz_assignment, explain):
    html = get(instructor, course, f"?sort=a{quiz_assignment.pk}&dir=desc")
    assert students(html) == ["alice", "owner", "fellow"]  # ties (2, 2) keep the name order
    assert f'data-column="a{quiz_assignment.pk}"' in sorted_header(html)
    assert students(get(instructor, course, f"?sort=a{essay.pk}&dir=asc")) == ["alice", "fellow", "owner"]
    drilled = get(instructor, course, f"?assignment={essay.pk}&sort=q{explain.pk}&dir=desc")
    assert students(drilled) == ["owner", "alice", "fellow"]  # 2, then nothing scored (pending counts as none)
    assert f'data-column="q{explain.pk}"' in sorted_header(drilled)
    # the header links keep the drill-down
    assert f'href="?assignment={essay.pk}&amp;sort=total&amp;dir=desc"' in drilled


@pytest.mark.parametrize("query", ["?sort=bogus", "?sort=total&dir=sideways", "?sort=q999999&dir=desc",
                                   "?sort=a999999", "?sort=%00&dir=%00", "?sort=name&dir="])
def test_invalid_sort_keys_fall_back_and_never_fail(course, instructor, scored, query):
    html = get(instructor, course, query)
    assert len(students(html)) == 3
    if "sort=total" in query:
        assert students(html) == ["owner", "alice", "fellow"]  # a bad direction: the column's default
    else:
        assert students(html) == ["alice", "fellow", "owner"]
        assert 'class="student"' in sorted_header(html)


def test_a_question_key_is_not_a_sort_key_of_the_overview(course, instructor, scored, explain):
    html = get(instructor, course, f"?sort=q{explain.pk}&dir=desc")
    assert students(html) == ["alice", "fellow", "owner"]


def test_filters_keep_working_with_sorting(course, instructor, scored, essay):
    # everyone has a question without a score: "only incomplete" keeps all three, sorted
    assert students(get(instructor, course, "?incomplete=on&sort=total&dir=desc")) == ["owner", "alice", "fellow"]
    html = get(instructor, course, "?q=o&sort=total&dir=desc")  # owner, fellow (not alice)
    assert students(html) == ["owner", "fellow"]
    assert 'name="sort" value="total"' in html  # the filter form keeps the sort
    header_links = re.findall(r'class="sort-link" href="([^"]*)"', html)
    assert header_links and all("q=o" in link for link in header_links)
    export = re.search(r'href="([^"]*)" download class="export-questions"', html)
    assert export is not None and "q=o" in export.group(1) and "sort" not in export.group(1)
    assert students(get(instructor, course, f"?assignment={essay.pk}&q=fel")) == ["fellow"]


@pytest.mark.parametrize("query", ["", "?sort=total&dir=desc", "?assignment={essay}", "?assignment={essay}&sort=x"])
def test_statuses_per_persona_are_unchanged(course, instructor, ta, student, other_staff, outsider, essay, query):
    url = reverse("gradebook:table", args=[course.pk]) + query.format(essay=essay.pk)
    import_url = reverse("gradebook:import", args=[course.pk])
    owner_page = client_for(instructor).get(url)
    assert owner_page.status_code == 200 and import_url in owner_page.content.decode()
    ta_page = client_for(ta).get(url)  # the page needs no grant; the import link does
    assert ta_page.status_code == 200 and import_url not in ta_page.content.decode()
    Enrollment.objects.filter(user=ta, course=course).update(may_regrade=True)
    ta_page = client_for(ta).get(url)
    assert ta_page.status_code == 200 and import_url in ta_page.content.decode()
    for user in (student, other_staff, outsider):
        assert client_for(user).get(url).status_code == 404
    response = Client().get(url)
    assert response.status_code == 302 and reverse("login") in response["Location"]
