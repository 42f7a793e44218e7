"""Question prompts: Markdown rendered on the server, then sanitised with nh3. TeX math stays as
``$...$`` / ``$$...$$`` text for KaTeX in the browser, protected from Markdown's emphasis rules."""

from __future__ import annotations

import html
import re
import secrets

import markdown
import nh3
from django.utils.safestring import SafeString, mark_safe

MATH = re.compile(r"\$\$.+?\$\$|\$[^$\n]+?\$", re.DOTALL)
FENCE = re.compile(r"^(```|~~~).*?^\1\s*$", re.DOTALL | re.MULTILINE)
INLINE_CODE = re.compile(r"`[^`\n]+`")
TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "b", "i", "code", "pre",
    "blockquote", "ul", "ol", "li", "a", "table", "thead", "tbody", "tr", "th", "td", "span", "div",
    "sub", "sup", "img", "dl", "dt", "dd",
}
ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "code": {"class"},
              "th": {"align"}, "td": {"align"}}


def markdown_render(text: str) -> SafeString:
    token = secrets.token_hex(8)
    stash: list[str] = []

    def keep(match: re.Match[str]) -> str:
        stash.append(match.group(0))
        return f"MATH{token}X{len(stash) - 1}X"

    # Code spans and fences keep their dollars; math outside them is set aside before Markdown.
    protected: list[str] = []

    def keep_code(match: re.Match[str]) -> str:
        protected.append(match.group(0))
        return f"CODE{token}X{len(protected) - 1}X"

    text = FENCE.sub(keep_code, text)
    text = INLINE_CODE.sub(keep_code, text)
    text = MATH.sub(keep, text)
    text = re.sub(rf"CODE{token}X(\d+)X", lambda m: protected[int(m.group(1))], text)
    rendered = markdown.markdown(text, extensions=["fenced_code", "tables", "sane_lists"])
    rendered = re.sub(rf"MATH{token}X(\d+)X", lambda m: html.escape(stash[int(m.group(1))], quote=False), rendered)
    clean = nh3.clean(rendered, tags=TAGS, attributes=ATTRIBUTES, url_schemes={"http", "https", "mailto"},
                      link_rel="noopener noreferrer")
    return mark_safe(clean)  # noqa: S308 - sanitised by nh3 just above
