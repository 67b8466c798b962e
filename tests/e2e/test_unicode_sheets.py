"""Sheets with any pasted character in their prose, and tables longer than a page, build."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from gen.make.pipeline import build_spec
from gen.make.texlog import tex_warnings
from gen.render.texchars import pdftex_sets, sheet_engine


def _pdf_text(pdf: Path) -> str:
    done = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True)
    return " ".join(done.stdout.decode("utf-8").split())


def _spec(folder: Path, name: str, title: str, text: str, variables: str = "") -> Path:
    path = folder / f"{name}.yaml"
    path.write_text(
        f'title: "{title}"\n'
        "variables:\n"
        '  x: {shape: [n], text: "' + text + '"}\n' + variables + "define:\n  J: x'*x\n"
        'derive:\n  - of: J\n    wrt: x\n    text: "' + text + '"\n',
        encoding="utf-8",
    )
    return path


def test_pdftex_covers_latin_text_and_not_chinese():
    for char in "aé–“”ßłŒ€°±×λ≤":
        assert pdftex_sets(char), char
    for char in "最∫П😀":
        assert not pdftex_sets(char), char
    assert sheet_engine({"lang": "en", "title": "Café – “x” ≤ λ"}) == "pdflatex"
    assert sheet_engine({"lang": "en", "d": [{"text": "最小二乘"}]}) == "xelatex"
    assert sheet_engine({"lang": "zh", "title": "plain"}) == "xelatex"


@pytest.mark.parametrize(
    ("title", "text", "words"),
    [
        ("∫ f(x) dx over ℝ, ∀ε ∃δ", "the input, with √2 and ∑", ["∫", "∀", "∃", "√", "∑"]),
        ("Least squares 最小二乘", "输入向量 (the input)", ["最小二乘", "输入向量"]),
        ("Café, naïve – “quoted”", "Grüße, œuvre, 5 €", ["Café", "naïve", "Grüße", "€"]),
    ],
)
def test_pasted_characters_build(tex, tmp_path, title, text, words):
    spec = _spec(tmp_path, "pasted", title, text)
    outcome = build_spec(spec, tmp_path / "out")
    assert outcome.ok, [e.message for e in outcome.errors]
    assert not [w for w in outcome.warnings if "Missing character" in w.message]
    pdf_text = _pdf_text(tmp_path / "out" / "pasted.pdf")
    for word in words:
        assert word in pdf_text, word


def test_characters_no_font_has_still_build_with_a_warning(tex, tmp_path):
    spec = _spec(tmp_path, "emoji", "Emoji 😀 in a title", "Привет")
    outcome = build_spec(spec, tmp_path / "out")
    assert outcome.ok, [e.message for e in outcome.errors]
    assert any("Missing character" in w.message for w in outcome.warnings)
    assert "Emoji" in _pdf_text(tmp_path / "out" / "emoji.pdf")


def test_a_hundred_variables_break_across_pages(tex, tmp_path):
    rows = "".join(f"  a{i}: {{shape: [], text: coefficient number {i}}}\n" for i in range(100))
    spec = _spec(tmp_path, "wide", "A hundred variables", "input", rows)
    outcome = build_spec(spec, tmp_path / "out")
    assert outcome.ok, [e.message for e in outcome.errors]
    assert [w.message for w in outcome.warnings if "no definition" not in w.message] == []
    text = _pdf_text(tmp_path / "out" / "wide.pdf")
    for i in range(100):
        assert f"coefficient number {i} " in text + " ", i
    assert (tmp_path / "out" / "wide.tex").read_text().count("\\begin{longtable}") == 1


def test_a_table_taller_than_the_page_is_a_warning(tex, tmp_path):
    rows = "".join(f"r{i} \\\\\n" for i in range(100))
    doc = tmp_path / "tall.tex"
    doc.write_text(
        "\\documentclass{article}\n\\begin{document}\n"
        f"\\begin{{tabular}}{{l}}\n{rows}\\end{{tabular}}\n\\end{{document}}\n"
    )
    subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "tall.tex"],
        cwd=tmp_path,
        capture_output=True,
        check=False,
    )
    warnings = tex_warnings((tmp_path / "tall.log").read_text(errors="replace"))
    assert any(
        "Overfull \\vbox" in w.message and "taller than the page" in w.message for w in warnings
    )
