"""One voice in Korean: assignments/GLOSSARY.md's preferred terms in every Korean text of both bundles.

Korean texts are the `ko` side of every bilingual field of a question (title, prompt, choices,
feedback, explanation, misconception feedback, hints, rubric, model answer) plus the Korean prompt
file. Code spans, fenced code and $math$ are removed first; identifiers, code files and English
texts are never read.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from content_support import ASSIGNMENTS, load_bundles

GLOSSARY = ASSIGNMENTS / "GLOSSARY.md"

# (name, avoided variant as written in GLOSSARY.md, pattern, what to write instead)
RULES: list[tuple[str, str, re.Pattern[str], str]] = [
    ("parameter", "파라미터", re.compile(r"(?<!하이퍼)(?<!하이퍼 )파라미터"), "매개변수"),
    ("feature map", "특성 맵", re.compile(r"특성\s?맵"), "특징 맵"),
    ("gradient", "그래디언트", re.compile(r"그래디언트"), "기울기"),
    ("object detection", "객체 검출", re.compile(r"객체\s?검출"), "사물 검출"),
    ("localization", "위치 측정", re.compile(r"위치\s?측정"), "위치 추정"),
    ("large counts", "백만", re.compile(r"\d\s*백만"), "2,400만 개 or 24×10⁶ 개"),
    # an English dash touching a Korean word: "A — 설명", "설명 – B" (not "Conv – ReLU")
    ("dash", "—", re.compile(r"[가-힣][)\]'\"”’]?[ \t]*[—–]|[—–][ \t]*[('\"“‘]?[가-힣]"),
     "a comma, a new sentence or parentheses"),
    # a colon that continues a finished sentence: "…합니다: …", "…하세요: …" (labels like 예: pass)
    ("colon after a sentence", "합니다:", re.compile(r"(?:다|[세에예어아해지네군까]요):"),
     "end the sentence with a period"),
]

TERM_RULES = {"parameter", "feature map", "gradient", "object detection", "localization",
              "large counts"}

_CODE_BLOCK = re.compile(r"```.*?```", re.S)
_CODE_SPAN = re.compile(r"`[^`\n]*`")
_MATH = re.compile(r"\$\$.*?\$\$|\$[^$\n]*\$", re.S)


def _plain(text: str) -> str:
    return _MATH.sub(" ", _CODE_SPAN.sub(" ", _CODE_BLOCK.sub(" ", text)))


def korean_texts(node: Any, path: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "ko" and isinstance(value, str):
                yield (f"{path}.ko".lstrip("."), value)
            else:
                yield from korean_texts(value, f"{path}.{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from korean_texts(value, f"{path}[{index}]")


def flagged(text: str) -> list[tuple[str, str, str]]:
    plain = _plain(text)
    hits = []
    for name, _, pattern, instead in RULES:
        for match in pattern.finditer(plain):
            start, end = max(0, match.start() - 15), match.end() + 15
            hits.append((name, plain[start:end].replace("\n", " "), instead))
    return hits


Finding = tuple[str, str, str, str, str]  # slug, field, rule, context, what to write


def findings(bundle_slug: str) -> list[Finding]:
    bundle = next(b for b in load_bundles() if b.slug == bundle_slug)
    found = []
    for q in bundle.questions:
        texts = list(korean_texts(q.spec))
        if not any(path == "prompt.ko" for path, _ in texts):
            texts.append(("prompt.ko.md", q.prompts["ko"]))
        for path, text in texts:
            for name, context, instead in flagged(text):
                found.append((q.slug, path, name, context, instead))
    return found


def describe(finding: Finding) -> str:
    slug, path, name, context, instead = finding
    return f"{slug} {path}: {name} in '…{context}…' (write {instead})"


@pytest.mark.parametrize("bundle_slug", ["ch07-cnn", "cnn-architectures"])
def test_korean_texts_use_the_glossary_terms(bundle_slug):
    found = [f for f in findings(bundle_slug) if f[2] in TERM_RULES]
    assert not found, "\n".join([f"{len(found)} flagged (see assignments/GLOSSARY.md):",
                                 *map(describe, found)])


@pytest.mark.parametrize("bundle_slug", ["ch07-cnn", "cnn-architectures"])
def test_korean_texts_use_korean_punctuation(bundle_slug):
    found = [f for f in findings(bundle_slug) if f[2] not in TERM_RULES]
    assert not found, "\n".join([f"{len(found)} flagged (see assignments/GLOSSARY.md):",
                                 *map(describe, found)])


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("파라미터 수는?", "parameter"),
        ("출력 특성 맵은 100개", "feature map"),
        ("특성맵의 크기", "feature map"),
        ("그래디언트를 구한다", "gradient"),
        ("객체 검출 기법", "object detection"),
        ("위치 측정(localization)", "localization"),
        ("약 24백만 개", "large counts"),
        ("여러 장치로 분산 — 모두 줄인다", "dash"),
        ("(1) 의료 영상 – 장기 분할", "dash"),
        ("곱해야 합니다: 층마다", "colon after a sentence"),
        ("확인하세요: Convolution(W, b)", "colon after a sentence"),
        ("이렇게 해요: 먼저", "colon after a sentence"),
    ],
)
def test_each_rule_catches_its_variant(text, rule):
    assert rule in {name for name, _, _ in flagged(text)}


@pytest.mark.parametrize(
    "text",
    [
        "하이퍼파라미터를 조정한다",
        "특징 맵, 매개변수, 기울기, 사물 검출, 위치 추정",
        "약 2,400만 개, 24×10⁶ 개, 수백만 개",
        "**Convolution – ReLU – Pooling**",
        "예: F = 3이면 P = 1. 가정: 높이는 절반. 입력: 3×3. 필요: 메모리",
        "코드 `params['W1']  # 파라미터` 와 수식 $a — b$",
    ],
)
def test_the_preferred_forms_and_code_pass(text):
    assert flagged(text) == []


def test_the_glossary_lists_every_rule():
    glossary = GLOSSARY.read_text(encoding="utf-8")
    for name, avoided, _, _ in RULES:
        assert name in glossary, name
        assert avoided in glossary, avoided
