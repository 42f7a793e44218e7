"""Markdown and HTML injection. Authored text (prompts, explanations) is Markdown sanitised by an
allow-list; everything students produce (code, output, answers, names) is escaped wherever a page or
the JSON ``feedback_html`` shows it."""

# ruff: noqa: F811 - the hostile-bundle fixtures are imported from helpers (conftest.py stays untouched)
from __future__ import annotations

import json
import re
import uuid
from html.parser import HTMLParser

import pytest
from assessments.markdown import ATTRIBUTES, TAGS, markdown_render
from django.urls import reverse
from django.utils import timezone
from submissions.models import Draft, Submission
from submissions.services.quiz import quiz_answer_create

from grader.result import CheckOutcome, GradeResult
from tests.platform.conftest import WRONG_SCALE
from tests.platform.hostile_http.helpers import (  # noqa: F401 - fixtures
    client_for,
    evil_question,
    hostile_assignment,
    post_json,
)

SAFE_SCHEMES = ("http://", "https://", "mailto:")


class Elements(HTMLParser):
    """Every start tag with its attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


def elements(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = Elements()
    parser.feed(html)
    return parser.found


def assert_inert(html: str) -> None:
    """Only allow-listed tags and attributes, and no URL that runs anything."""
    for tag, attrs in elements(html):
        assert tag in TAGS, (tag, html)
        for name, value in attrs.items():
            assert name in ATTRIBUTES.get(tag, set()) or name == "rel", (tag, name, html)
            if name in ("href", "src"):
                target = (value or "").strip().lower()
                assert target.startswith(SAFE_SCHEMES) or not re.match(r"^[a-z][a-z0-9+.-]*:", target), (tag, value)


PAYLOADS = {
    "script": "<script>alert(1)</script>",
    "script-split": "<scr<script>ipt>alert(1)</script>",
    "js-link": "[x](javascript:alert(1))",
    "js-link-case": "[x](JaVaScRiPt:alert(1))",
    "js-link-entity": '<a href="java&#x09;script:alert(1)">x</a>',
    "js-link-encoded": "[x](javascript&#58;alert(1))",
    "data-link": "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "vbscript": "[x](vbscript:msgbox(1))",
    "img-onerror": '<img src="x" onerror="alert(1)">',
    "md-img-js": "![x](javascript:alert(1))",
    "md-img-title": '![x](https://example.org/a.png "a\\" onerror=\\"alert(1))',
    "svg": '<svg onload="alert(1)"><script>alert(1)</script></svg>',
    "iframe": '<iframe src="https://evil.example/"></iframe>',
    "object": '<object data="x.swf"></object><embed src="x.swf">',
    "style": "<style>*{display:none}</style><p style=\"background:url(javascript:alert(1))\">x</p>",
    "form": '<form action="https://evil.example/"><input name="password"><button>go</button></form>',
    "meta": '<meta http-equiv="refresh" content="0;url=https://evil.example/">',
    "base": '<base href="https://evil.example/">',
    "event-on-allowed-tag": '<p onclick="alert(1)" onmouseover="alert(1)">x</p><div id="x" class="y">z</div>',
    "attribute-breakout": '<a href="https://example.org/" title=\'"><script>alert(1)</script>\'>x</a>',
    "math-script": "$x <script>alert(1)</script>$ and $$<img src=x onerror=alert(1)>$$",
    "math-unclosed": "$<script>alert(1)</script>",
    "math-katex-href": r"$$\href{javascript:alert(1)}{x}$$",
    "comment": "<!--><script>alert(1)</script>-->",
    "cdata": "<![CDATA[<script>alert(1)</script>]]>",
    "reference-link": "[x][evil]\n\n[evil]: javascript:alert(1)",
    "autolink": "<javascript:alert(1)>",
    "code-span": "`<script>alert(1)</script>`\n\n```\n</code></pre><script>alert(1)</script>\n```",
}


@pytest.mark.parametrize("payload", PAYLOADS.values(), ids=PAYLOADS.keys())
def test_markdown_output_is_inert(payload):
    html = str(markdown_render(payload))
    assert_inert(html)
    assert "<script" not in html.lower()


def test_math_is_kept_as_escaped_text_for_katex():
    html = str(markdown_render("$a<b$ and $$x_i^2 <script>alert(1)</script>$$"))
    assert "$a&lt;b$" in html and "$$x_i^2 &lt;script&gt;alert(1)&lt;/script&gt;$$" in html


def test_safe_markdown_survives_the_sanitiser():
    html = str(markdown_render("**bold** [link](https://example.org/) `code`\n\n| a | b |\n|---|---|\n| 1 | 2 |"))
    assert "<strong>bold</strong>" in html and '<a href="https://example.org/"' in html
    assert 'rel="noopener noreferrer"' in html and "<code>code</code>" in html and "<table>" in html


def markdown_blocks(page: str) -> list[str]:
    """The inner HTML of each ``class="markdown ..."`` element on a page."""
    blocks = []
    for match in re.finditer(r'<div class="markdown[^"]*">', page):
        rest = page[match.end():]
        depth, index = 1, 0
        for tag in re.finditer(r"<(/?)div\b[^>]*>", rest):
            depth += -1 if tag.group(1) else 1
            if depth == 0:
                index = tag.start()
                break
        blocks.append(rest[:index])
    return blocks


def page_scripts(page: str) -> list[dict[str, str | None]]:
    return [attrs for tag, attrs in elements(page) if tag == "script"]


def assert_page_inert(page: str) -> None:
    """The site's own scripts only (app.js and JSON data), no event handlers, no alert anywhere live."""
    for attrs in page_scripts(page):
        assert attrs.get("type") in ("module", "application/json"), attrs
    for tag, attrs in elements(page):
        assert not any(name.startswith("on") and name != "onchange" for name in attrs), (tag, attrs)
        assert tag not in ("iframe", "object", "embed", "svg", "style", "base", "form") or (
            tag == "form" and attrs.get("method") == "post" and (attrs.get("action") or "/").startswith("/")), tag
        assert tag != "meta" or set(attrs) <= {"charset", "name", "content"}, attrs
        for name in ("href", "src", "action"):
            assert not (attrs.get(name) or "").strip().lower().startswith(("javascript:", "data:")), (tag, attrs)


def test_the_evil_prompt_and_explanation_are_sanitised_on_the_question_page(student, instructor, evil_question):
    for user in (student, instructor):  # staff see the explanation before answering
        page = client_for(user).get(reverse("assessments:question", args=[evil_question.pk])).content.decode()
        assert_page_inert(page)
        blocks = markdown_blocks(page)
        assert blocks and "Evil prompt" in blocks[0]
        for block in blocks:
            assert_inert(block)
        assert "https://example.org/" in blocks[0] and "<strong>bold</strong>" in blocks[0]
    staff_page = client_for(instructor).get(reverse("assessments:question", args=[evil_question.pk])).content.decode()
    assert "explain-link" not in "".join(attrs.get("href") or "" for _tag, attrs in elements(staff_page))


def test_the_explanation_shown_to_a_student_after_answering_is_sanitised(student, evil_question):
    quiz_answer_create(user=student, question=evil_question, data={"choice": ["good"]}, lang="en")
    page = client_for(student).get(reverse("assessments:question", args=[evil_question.pk])).content.decode()
    assert "Explanation" in page
    assert_page_inert(page)
    for block in markdown_blocks(page):
        assert_inert(block)


def test_titles_and_choice_texts_with_html_are_escaped(student, evil_question):
    client = client_for(student)
    page = client.get(reverse("assessments:question", args=[evil_question.pk])).content.decode()
    assert "&lt;script&gt;alert(&#x27;title&#x27;)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(&#x27;choice&#x27;)&gt;" in page
    assignment_page = client.get(reverse("assessments:assignment", args=[evil_question.assignment.course_id,
                                                                        evil_question.assignment_id])).content.decode()
    assert_page_inert(assignment_page)
    assert "<script>alert('title')" not in assignment_page


# --- what students produce ----------------------------------------------------------------------

HOSTILE = "</script><script>alert('x')</script><img src=x onerror=alert('y')>{{ secret }}"


@pytest.fixture
def hostile_graded(student, code_question) -> Submission:  # type: ignore[no-untyped-def]
    """A graded submission whose every student-influenced text carries markup."""
    code = f"# {HOSTILE}\n" + WRONG_SCALE
    submission = Submission.objects.create(
        user=student, question=code_question, version_id=code_question.current_version_id,
        idempotency_key=str(uuid.uuid4()), code=code, seed=1, attempt=1, status=Submission.Status.GRADED,
        score=0.0, max_score=3.0, verdict="failed", output=HOSTILE, graded_at=timezone.now(),
        results=GradeResult(status="failed", score=0.0, max_score=3.0, output=HOSTILE, message=HOSTILE, checks=[
            CheckOutcome(name=HOSTILE, passed=False, score=0, max_score=1, message=HOSTILE, hint=HOSTILE),
        ]).to_dict(),
    )
    Draft.objects.create(user=student, question=code_question, code=HOSTILE, saved_at=timezone.now())
    return submission


def assert_no_live_markup(html: str) -> None:
    assert "<script>alert" not in html and "<img src=x" not in html and "</script><script>" not in html


def test_output_messages_and_names_in_feedback_html_are_escaped(student, hostile_graded):
    body = client_for(student).get(reverse("submissions:status", args=[hostile_graded.pk])).json()
    assert_no_live_markup(body["feedback_html"])
    assert "&lt;script&gt;alert(&#x27;x&#x27;)" in body["feedback_html"]


def test_code_output_and_draft_are_escaped_on_the_question_page(student, instructor, hostile_graded, code_question):
    page = client_for(student).get(reverse("assessments:question", args=[code_question.pk])).content.decode()
    assert_no_live_markup(page)
    assert_page_inert(page)
    config = json.loads(re.search(r'<script id="question-config" type="application/json">(.*?)</script>', page, re.S).group(1))
    assert config["questionId"] == code_question.pk  # the JSON island was not broken out of
    assert "{{ secret }}" in page  # template syntax from students is shown, never evaluated
    code = client_for(instructor).get(reverse("submissions:code", args=[hostile_graded.pk])).json()["code"]
    assert HOSTILE in code  # JSON carries it as data; the browser shows it read-only


def test_student_names_with_markup_are_escaped_on_staff_pages(student, instructor, hostile_graded, code_question, course):
    student.first_name, student.last_name = "<script>alert('name')</script>", "<img src=x onerror=alert(1)>"
    student.save()
    staff = client_for(instructor)
    for url in (reverse("assessments:question_submissions", args=[code_question.pk]),):
        page = staff.get(url).content.decode()
        assert "<script>alert('name')" not in page and "<img src=x" not in page, url
        assert "&lt;script&gt;alert(&#x27;name&#x27;)" in page, url


def test_a_draft_saved_with_markup_comes_back_as_data(student, code_question):
    client = client_for(student)
    assert post_json(client, reverse("submissions:draft", args=[code_question.pk]), {"code": HOSTILE}).status_code == 200
    page = client.get(reverse("assessments:question", args=[code_question.pk])).content.decode()
    assert_no_live_markup(page)
    assert "&lt;/script&gt;&lt;script&gt;alert(&#x27;x&#x27;)" in page
