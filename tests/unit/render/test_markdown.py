"""The Markdown page: parsed by markdown-it-py; headings, balanced math, no TeX outside math."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from gen.make.pipeline import check_spec
from gen.render.markdown import escape_md, render_markdown
from gen.render.view import sheet_context

ROOT = Path(__file__).resolve().parents[3]
SPECS = sorted((ROOT / "specs").glob("*.yaml"))
INLINE_MATH = re.compile(r"(?<!\\)\$(?!\$)(.+?)(?<!\\)\$")


def _page(spec: Path) -> tuple[str, dict]:
    program, derivations, outcome = check_spec(spec)
    assert program is not None and outcome.ok
    return render_markdown(sheet_context(program, derivations), outcome.results), outcome.results


@pytest.fixture(scope="module", params=SPECS, ids=lambda p: p.stem)
def page(request):
    return _page(request.param)


def _outside_math(text: str) -> str:
    """Text with its $$ blocks and $...$ spans removed (escaped \\$ kept out of the count)."""
    text = re.sub(r"\$\$\n.*?\n\s*\$\$", "", text, flags=re.S)
    return INLINE_MATH.sub("", text)


def test_headings(page):
    text, results = page
    tokens = MarkdownIt().parse(text)
    heads = [
        (t.tag, tokens[i + 1].content) for i, t in enumerate(tokens) if t.type == "heading_open"
    ]
    assert heads[0] == ("h1", escape_md(results["title"]))
    assert [tag for tag, _ in heads].count("h1") == 1
    assert len([h for h in heads if h[0] == "h2"]) == len(results["derivations"]) + 1


def test_math_blocks_balanced(page):
    text, _ = page
    fences = [line.strip() for line in text.splitlines() if line.strip() == "$$"]
    assert fences and len(fences) % 2 == 0
    for line in text.splitlines():
        if line.strip() != "$$":
            unescaped = re.sub(r"\\\$", "", line)
            if not line.startswith("    ") or "$$" not in line:
                assert unescaped.count("$") % 2 == 0, line


def test_no_tex_outside_math(page):
    text, _ = page
    tokens = MarkdownIt().parse(text)
    prose = [
        _outside_math(t.content) for t in tokens if t.type == "inline" and "$$" not in t.content
    ]
    rest = _outside_math(text)
    for chunk in [*prose, rest]:
        assert not re.search(r"(?<!\\)\\[A-Za-z]", chunk), chunk[:200]


def test_results_present(page):
    text, results = page
    for d in results["derivations"]:
        latex = d["result"]["latex"].replace("\\gsbreakin", "").replace("\\gsbreak", "")
        assert re.sub(r"\s+", " ", latex).strip() in re.sub(r"\s+", " ", text)
    assert escape_md(results["title"]) in text


def test_prose_escaped():
    assert escape_md("a*b_c [x] $5 | <i>") == r"a\*b\_c \[x\] \$5 \| \<i\>"
    assert escape_md("line\nbreak") == "line break"


def test_zh_page_in_chinese():
    text, _ = _page(ROOT / "specs" / "least-squares.zh.yaml")
    assert "## 记号" in text and "用链式法则求" in text
    assert json.dumps(text, ensure_ascii=False)  # valid text
