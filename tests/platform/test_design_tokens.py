"""One definition of the design tokens: platform/static/css/tokens.css defines every CSS custom
property (colours, spacing, radii, fonts); the other sheets (the front-end bundle's source, the
site sheet, the app sheets) only use them, and every one they use is defined. base.html loads
the tokens before any other sheet."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TOKENS = ROOT / "platform" / "static" / "css" / "tokens.css"
SHEETS = [
    ROOT / "frontend" / "src" / "app.css",
    ROOT / "platform" / "static" / "css" / "site.css",
    *sorted((ROOT / "platform").glob("*/static/*/*.css")),
]
DEFINITION = re.compile(r"(?<![\w-])(--[a-z0-9-]+)\s*:")
USE = re.compile(r"var\(\s*(--[a-z0-9-]+)")
COLOUR = re.compile(r"#[0-9a-fA-F]{3,8}\b")


def _without_comments(text: str) -> str:
    return re.sub(r"/\*.*?\*/", "", text, flags=re.S)


def test_only_the_token_file_defines_tokens():
    assert len(SHEETS) >= 4, SHEETS
    for sheet in SHEETS:
        text = _without_comments(sheet.read_text(encoding="utf-8"))
        assert not DEFINITION.findall(text), sheet
        assert ":root" not in text, sheet
        assert not COLOUR.findall(text), (sheet, COLOUR.findall(text))  # colours are tokens


def test_every_token_used_is_defined_and_every_token_defined_is_used():
    defined = set(DEFINITION.findall(_without_comments(TOKENS.read_text(encoding="utf-8"))))
    used = set()
    for sheet in [TOKENS, *SHEETS]:
        used |= set(USE.findall(_without_comments(sheet.read_text(encoding="utf-8"))))
    assert used <= defined, sorted(used - defined)
    assert defined <= used, sorted(defined - used)


def test_the_base_template_loads_the_tokens_first():
    base = (ROOT / "platform" / "templates" / "base.html").read_text(encoding="utf-8")
    sheets = re.findall(r"<link rel=\"stylesheet\" href=\"\{% static '([^']+)' %\}\">", base)
    assert sheets[0] == "css/tokens.css", sheets
