"""Prompts render their TeX with KaTeX, and the product works without the internet: every request
a page makes goes to the live server (no CDN, fonts included)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest

pytestmark = pytest.mark.e2e


def test_prompt_math_is_rendered_by_katex_from_our_own_server(
    page: Any, demo: dict, log_in: Any, code_page: Any, live_host: str
) -> None:
    log_in()
    code_page("convolution")  # its prompt has $OH$ inline and a $$...$$ display formula

    prompt_math = page.locator(".markdown .katex")
    prompt_math.first.wait_for()
    assert prompt_math.count() >= 2
    assert page.locator(".markdown .katex-display").count() >= 1
    # No raw TeX delimiters left in the rendered prompt.
    assert "$$" not in page.locator(".markdown").first.inner_text()
    page.wait_for_load_state("networkidle")  # KaTeX's fonts load after the first layout

    hosts = {
        urlsplit(url).netloc
        for url in page.requested_urls
        if urlsplit(url).scheme in ("http", "https")
    }
    assert hosts == {live_host}, f"requests left the live server: {sorted(hosts - {live_host})}"
    fonts = [url for url in page.requested_urls if "/static/build/fonts/KaTeX_" in url]
    assert fonts, "KaTeX fonts were not requested from build/fonts/"
    assert page.failed_responses == []
    assert page.js_errors == []
