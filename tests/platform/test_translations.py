"""The Korean interface: the project catalogue is complete, agrees with the app catalogues, its
compiled .mo matches the .po (the .mo is kept in git, so tests and servers need no gettext), and
key staff and login pages really render in Korean."""

from __future__ import annotations

import ast
import gettext
import html as html_lib
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from tests.platform.grading.helpers import answer, client_for, essay, explain  # noqa: F401 (fixtures)

PLATFORM = Path(__file__).resolve().parents[2] / "platform"
PROJECT_PO = PLATFORM / "locale" / "ko" / "LC_MESSAGES" / "django.po"
PROJECT_MO = PROJECT_PO.with_suffix(".mo")
APP_CATALOGUES = sorted(PLATFORM.glob("*/locale/ko/LC_MESSAGES/django.po"))


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0

    @property
    def key(self) -> str:
        return f"{self.msgctxt}\x04{self.msgid}" if self.msgctxt is not None else self.msgid


def po_entries(path: Path) -> list[Entry]:
    """The live (not obsolete) entries of a .po file, header excluded. Enough of the format for
    what makemessages writes: comments, flags, msgctxt, msgid(_plural), msgstr[n], continuations."""
    entries: list[Entry] = []
    entry: Entry | None = None
    target: tuple[str, int] | None = None
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#~"):
            if entry is not None:
                entries.append(entry)
            entry, target = None, None
            continue
        if entry is None:
            entry = Entry(line=number)
        if line.startswith("#,"):
            entry.flags |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            assert target is not None, f"{path}:{number}: continuation without a keyword"
            value = ast.literal_eval(line)
            if target[0] == "msgstr":
                entry.msgstr[target[1]] += value
            else:
                setattr(entry, target[0], getattr(entry, target[0]) + value)
        else:
            keyword, _, literal = line.partition(" ")
            value = ast.literal_eval(literal)
            if keyword.startswith("msgstr"):
                index = int(keyword[7:-1]) if "[" in keyword else 0
                entry.msgstr[index] = value
                target = ("msgstr", index)
            else:
                setattr(entry, keyword, value)
                target = (keyword, 0)
    if entry is not None:
        entries.append(entry)
    return [e for e in entries if e.msgid]


def is_translated(entry: Entry) -> bool:
    return "fuzzy" not in entry.flags and bool(entry.msgstr) and all(entry.msgstr.values())


def test_every_project_string_has_a_korean_translation():
    entries = po_entries(PROJECT_PO)
    assert len(entries) > 100  # the parser read the catalogue, not an empty file
    missing = [f"line {e.line}: {e.msgid!r}" for e in entries if not is_translated(e)]
    assert not missing, "untranslated or fuzzy:\n" + "\n".join(missing)


def test_the_compiled_catalogue_matches_the_po_file():
    compiled = gettext.GNUTranslations(PROJECT_MO.open("rb"))._catalog  # type: ignore[attr-defined]
    expected: dict[object, str] = {}
    for entry in po_entries(PROJECT_PO):
        if not is_translated(entry):
            continue  # msgfmt leaves these out
        if entry.msgid_plural is None:
            expected[entry.key] = entry.msgstr[0]
        else:
            expected.update({(entry.key, index): text for index, text in entry.msgstr.items()})
    actual = {key: text for key, text in compiled.items() if key != ""}  # "" is the header
    stale = sorted(str(key) for key in expected.keys() ^ actual.keys())
    stale += sorted(
        str(key) for key in expected.keys() & actual.keys() if expected[key] != actual[key]
    )
    assert not stale, "run compilemessages; the .mo differs from the .po for:\n" + "\n".join(
        stale[:20]
    )


def test_the_project_catalogue_never_overrides_an_app_catalogue():
    """LOCALE_PATHS comes before the apps' catalogues: a shared msgid must say the same thing."""
    assert APP_CATALOGUES, "the app catalogues moved"
    project = {e.key: e.msgstr for e in po_entries(PROJECT_PO)}
    clashes = [
        f"{path.relative_to(PLATFORM)}: {e.msgid!r} {e.msgstr} != {project[e.key]}"
        for path in APP_CATALOGUES
        for e in po_entries(path)
        if e.key in project and is_translated(e) and e.msgstr != project[e.key]
    ]
    assert not clashes, "\n".join(clashes)


def visible_text(page: str) -> str:
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S | re.I)
    return html_lib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def assert_korean(response, korean: list[str], english: list[str]) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="ko">' in page
    text = visible_text(page)
    assert [word for word in korean if word not in text] == []
    assert [word for word in english if word in text] == []


def test_the_login_page_is_korean(db):
    assert_korean(
        Client().get(reverse("login"), HTTP_ACCEPT_LANGUAGE="ko"),
        korean=["로그인", "아이디", "비밀번호"],
        english=["Log in", "Username", "Password"],
    )


def test_the_course_page_shows_the_staff_tools_in_korean(course, instructor):
    response = client_for(instructor).get(
        reverse("courses:detail", args=[course.pk]), HTTP_ACCEPT_LANGUAGE="ko"
    )
    assert_korean(
        response,
        korean=[
            "참여 코드",
            "성적표",
            "명단 가져오기",
            "수동 채점",
            "점수 가져오기 (CSV)",
            "LMS 연동 (LTI 1.3)",
        ],
        english=[
            "Join code",
            "Gradebook",
            "Import roster",
            "Manual grading",
            "Import scores",
            "LMS (LTI 1.3)",
            "No assignments yet",
        ],
    )


def test_the_grading_queue_and_grading_page_are_korean(course, instructor, student, explain):  # noqa: F811
    given = answer(student, explain)
    client = client_for(instructor)
    queue = client.get(reverse("grading:queue", args=[course.pk]), HTTP_ACCEPT_LANGUAGE="ko")
    assert_korean(
        queue,
        korean=[
            "수동 채점",
            "서술형 답안",
            "배점",
            "대기 (내 담당)",
            "대기 (미배정)",
            "채점자",
            "고르게 나누기",
        ],
        english=[
            "Manual grading",
            "Descriptive answers",
            "Points",
            "Pending",
            "Graders",
            "Split evenly",
            "Also deal out",
        ],
    )
    page = client.get(
        reverse("grading:answer", args=[course.pk, given.pk]), HTTP_ACCEPT_LANGUAGE="ko"
    )
    assert_korean(
        page,
        korean=["학생 답안", "모범 답안", "루브릭", "가감점", "저장 후 다음", "내 담당으로 가져오기"],
        english=[
            "Student's answer",
            "Model answer",
            "Rubric",
            "Adjustment",
            "Save & next",
            "Take this answer",
            "Grader:",
        ],
    )


def test_the_score_import_page_is_korean(course, instructor):
    response = client_for(instructor).get(
        reverse("gradebook:import", args=[course.pk]), HTTP_ACCEPT_LANGUAGE="ko"
    )
    assert_korean(
        response,
        korean=["수동 채점 점수 가져오기", "CSV 파일", "미리보기"],
        english=["Import manual scores", "CSV file", "Preview", "Columns:"],
    )


@pytest.mark.parametrize("lang, word", [("en", "Manual grading"), ("ko", "수동 채점")])
def test_the_language_follows_the_request(course, instructor, lang, word):
    response = client_for(instructor).get(
        reverse("grading:queue", args=[course.pk]), HTTP_ACCEPT_LANGUAGE=lang
    )
    assert word in visible_text(response.content.decode())
