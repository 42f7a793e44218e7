"""End-to-end fixtures: Debian's chromium, driven by Playwright, against pytest-django's live server.

Code submissions go through the real pipeline: a real Redis and a real Celery worker from
``tests/stack.py`` (``redis_url``, ``celery_worker_proc``). The browser is never downloaded:
Playwright launches ``/usr/bin/chromium``. Pieces that are not there (chromium, the front-end
build, the Django pages of docs/WEB-CONTRACT.md) make the tests skip with the precise reason.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

# Playwright's sync API runs an asyncio event loop in this thread; Django would otherwise refuse
# ORM calls from the test body ("You cannot call this from an async context").
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
BUILD_DIR = ROOT / "platform" / "static" / "build"
SOLUTIONS = Path(__file__).resolve().parent / "solutions"
CH07 = "ch07-cnn"
STUDENT = ("student1", "student1-demo")  # created by `manage.py seed_demo`

try:  # the other helper's stack fixtures (real Redis, real Celery worker)
    from tests.stack import celery_worker_proc, redis_server, redis_url, worker_jobs_settled  # noqa: F401
except ImportError as error:
    _STACK_MISSING = f"tests/stack.py does not provide redis_url/celery_worker_proc: {error}"

    @pytest.fixture(scope="session")
    def redis_url() -> str:
        pytest.skip(_STACK_MISSING)

    @pytest.fixture(scope="session")
    def celery_worker_proc() -> None:
        pytest.skip(_STACK_MISSING)


# ---- browser ---------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def frontend_build() -> Path:
    """Build (or confirm up to date) platform/static/build; idempotent and fast when unchanged."""
    if shutil.which("npm") is None and not (BUILD_DIR / "app.js").is_file():
        pytest.skip("npm is not installed and platform/static/build/app.js does not exist")
    if shutil.which("npm") is not None:
        subprocess.run(["bash", str(ROOT / "scripts" / "build_frontend.sh")], cwd=ROOT, check=True)
    for name in ("app.js", "app.css", "fonts"):
        assert (BUILD_DIR / name).exists(), f"scripts/build_frontend.sh did not produce {name}"
    return BUILD_DIR


@pytest.fixture(scope="session")
def browser(frontend_build: Path) -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(
            f"{CHROMIUM} missing: install Debian's chromium (WITH_BROWSER=1 scripts/setup.sh)"
        )
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--headless"]
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any, live_server: Any) -> Iterator[Any]:
    """A fresh browser context (own cookies and localStorage) in Korean. Records every request URL
    in ``page.requested_urls``, 4xx/5xx answers in ``page.failed_responses`` and uncaught
    JavaScript errors in ``page.js_errors``."""
    context = browser.new_context(locale="ko-KR", base_url=live_server.url)
    context.set_default_timeout(15_000)
    tab = context.new_page()
    tab.requested_urls = []
    tab.failed_responses = []
    tab.js_errors = []
    tab.on("request", lambda request: tab.requested_urls.append(request.url))
    tab.on(
        "response",
        lambda response: (
            tab.failed_responses.append(f"{response.status} {response.url}")
            if response.status >= 400
            else None
        ),
    )
    tab.on("pageerror", lambda error: tab.js_errors.append(str(error)))
    yield tab
    context.close()


# ---- data and the Django side ----------------------------------------------------------------


def _require_backend() -> None:
    """Skip (not fail) when the Django side of the contract is not there yet."""
    from django.core.management import get_commands
    from django.urls import NoReverseMatch, reverse

    commands = get_commands()
    for command in ("seed_demo", "load_assignments"):
        if command not in commands:
            pytest.skip(f"management command {command!r} is missing")
    try:
        reverse("login")
        reverse("submissions:submit", kwargs={"question_id": 1})
    except NoReverseMatch as error:
        pytest.skip(f"URL missing from the web contract: {error}")


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    from django.core.cache import cache

    cache.clear()  # the live server shares this process's cache: no rate-limit carry-over


@pytest.fixture
def demo(live_server: Any, transactional_db: None) -> dict[str, Any]:
    """The demo course, users and the chapter 7 bundle, loaded through the real commands."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.core.management.base import CommandError

    _require_backend()
    quiet = {"stdout": io.StringIO(), "stderr": io.StringIO()}
    call_command("seed_demo", **quiet)
    try:  # seed_demo loads it too; this also proves the instructor command works on it
        call_command("load_assignments", str(ROOT / "assignments" / CH07), **quiet)
    except CommandError as error:
        pytest.skip(f"{CH07} does not load: {error}: {quiet['stderr'].getvalue().strip()}")
    return {"student": get_user_model().objects.get(username=STUDENT[0])}


def question_in_ch07(slug: str) -> Any:
    from assessments.models import Question

    question = Question.objects.filter(assignment__slug=CH07, slug=slug).first()
    if question is None:
        pytest.skip(f"question {CH07}/{slug} is not loaded (not in the bundle's question list?)")
    return question


def question_page_path(question: Any) -> str:
    """The student page of a question (assessments/urls.py)."""
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse("assessments:question", kwargs={"question_id": question.pk})
    except NoReverseMatch as error:
        pytest.skip(f"no question page URL: {error}")


@pytest.fixture
def log_in(page: Any) -> Callable[[str, str], None]:
    """Log in through the real login form."""
    from django.urls import reverse

    def do_log_in(username: str = STUDENT[0], password: str = STUDENT[1]) -> None:
        page.goto(reverse("login"))
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        with page.expect_navigation():
            page.locator("form [type=submit]").first.click()
        assert "/accounts/login" not in page.url, "login failed: still on the login page"

    return do_log_in


@pytest.fixture
def open_question(page: Any, live_server: Any) -> Callable[[str], Any]:
    """Open a ch07 question page; returns the Question row."""

    def do_open(slug: str) -> Any:
        question = question_in_ch07(slug)
        response = page.goto(question_page_path(question))
        assert response is not None and response.ok, (
            f"question page answered {response and response.status}"
        )
        return question

    return do_open


@pytest.fixture
def code_page(page: Any, open_question: Callable[[str], Any]) -> Callable[[str], Any]:
    """Open a code question and wait for the editor; skips if the page lacks the contract's ids."""

    def do_open_code(slug: str) -> Any:
        question = open_question(slug)
        if page.locator("#question-config").count() == 0:
            pytest.skip("code question page has no #question-config (docs/WEB-CONTRACT.md)")
        page.wait_for_selector("#code-editor .cm-content")
        return question

    return do_open_code


@pytest.fixture
def live_host(live_server: Any) -> str:
    return urlsplit(live_server.url).netloc


@pytest.fixture
def convolution_solution() -> str:
    """A correct `Convolution` (tests/e2e/solutions/convolution.py), written for these tests."""
    return (SOLUTIONS / "convolution.py").read_text(encoding="utf-8")
