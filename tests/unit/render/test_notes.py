"""Notes beside the steps: words from the catalogue, formulas in the sheet's notation."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from gen.derive.notes import QUIET, Note
from gen.render.formulas import FORMULAS
from gen.render.messages import MESSAGES
from gen.render.notes import message, note_latex, note_text, notes_latex
from gen.render.style import Names, Typeset

DERIVE = Path(__file__).resolve().parents[3] / "gen" / "derive"
TS = Typeset(Names({"J": "J", "w": "w", "z": "z", "dz": r"\mathrm{d}z", "W": "W"}))


def engine_note_keys() -> set[str]:
    """Every note key the engines can print: rule keys, Note("...") and entry lines."""
    keys = set(FORMULAS) | set(QUIET) | {"constant"}
    for path in DERIVE.glob("*.py"):
        text = path.read_text()
        keys |= set(re.findall(r'Note\("([a-z_]+)"', text))
        keys |= set(re.findall(r'\("(entry_[a-z_]+)"', text))
        keys |= set(re.findall(r'"(local_(?:gradient|jacobian))"', text))
        if path.name == "rules.py":
            keys |= set(re.findall(r', "([a-z_]+)"\s*$', text, re.M))
    return keys


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_note_an_engine_gives_has_words(lang):
    missing = sorted(k for k in engine_note_keys() if f"note.{k}" not in MESSAGES[lang])
    assert missing == []


def test_an_unknown_note_still_prints():
    assert message("zh", "brand_new_rule") == "brand new rule"
    assert note_latex(Note("brand_new_rule"), "en", TS, "vector") == "brand new rule"


def test_a_rule_with_a_formula():
    assert note_latex(Note("product"), "en", TS, "vector") == (
        r"product rule: \(\mathrm{d}(AB) = \mathrm{d}A\,B + A\,\mathrm{d}B\)"
    )
    assert note_latex(Note("product"), "zh", TS, "vector") == (
        r"乘积法则：\(\mathrm{d}(AB) = \mathrm{d}A\,B + A\,\mathrm{d}B\)"
    )
    assert note_text(Note("product"), "vector") == "product rule: d(AB) = dA B + A dB"


def test_transposes_in_formulas_follow_the_style():
    prime = Typeset(TS.names, "'")
    assert note_latex(Note("transpose"), "en", prime, "vector").endswith(
        r"\(\mathrm{d}(A') = (\mathrm{d}A)'\)"
    )


def test_the_form_names_the_derivation():
    note = Note("trace_form")
    assert note_latex(note, "en", TS, "vector", ("J", "w")).startswith(
        r"bring to the form \(\mathrm{d}J = g^{\top}\mathrm{d}w\): "
    )
    assert note_latex(note, "zh", TS, "matrix", ("J", "W")).startswith(
        r"化为 \(\mathrm{d}J = \operatorname{tr}(G^{\top}\mathrm{d}W)\) 的形式："
    )
    assert note_latex(note, "en", TS, "vector").startswith(
        r"bring to the form \(\mathrm{d}z = g^{\top}\mathrm{d}x\)"
    )
    assert note_text(note, "scalar", ("J", "lam")).startswith("bring to the form dJ = g dlam")
    bold = Typeset(TS.names, bold=True)
    assert r"\boldsymbol{G}^{\top}" in note_latex(note, "en", bold, "matrix", ("J", "W"))
    linear = Note("linear_form")
    assert note_latex(linear, "en", TS, "vector", ("z", "w")).startswith(
        r"bring to the form \(\mathrm{d}z = J\,\mathrm{d}w\)"
    )


def test_substituted_names_and_layouts_are_typeset():
    note = Note("substitute", ("dz",))
    assert note_latex(note, "en", TS, "vector") == r"substitute \(\mathrm{d}z\)"
    assert note_latex(note, "zh", TS, "vector") == r"代入 \(\mathrm{d}z\)"
    read = Note("read_off", layout="denominator")
    assert note_latex(read, "en", TS, "vector") == "read off in denominator layout"
    assert note_latex(read, "zh", TS, "vector") == "按分母布局读出导数"


def test_several_notes_join_in_the_language():
    notes = (Note("product"), Note("power"))
    assert "; power rule" in notes_latex(notes, "en", TS, "vector")
    assert "；幂法则" in notes_latex(notes, "zh", TS, "vector")


def test_a_plain_mapping_of_names_still_works():
    assert note_latex(Note("substitute", ("dz",)), "en", {"dz": "dz"}, "vector") == (
        r"substitute \(dz\)"
    )


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_notes_are_prose_with_math_only_in_inline_math(lang):
    for key in sorted(engine_note_keys()):
        latex = note_latex(Note(key, ("dz",), "mixed"), lang, TS, "vector", ("J", "w"))
        prose = re.sub(r"\\\(.*?\\\)", "", latex)
        assert "\\" not in prose.replace(r"\textasciicircum{}", ""), (key, latex)
        assert "$" not in latex
