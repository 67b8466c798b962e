"""Notes beside the steps: catalogue words and the rule's formula, for the sheet and the JSON."""

from __future__ import annotations

from collections.abc import Mapping

from gen.derive.notes import FORMULAS, Note
from gen.derive.steps import Derivation
from gen.program import Program
from gen.render.messages import MESSAGES
from gen.render.sheet import fill

LINEAR_FORM = (r"\mathrm{d}y = J\,\mathrm{d}x", "dy = J dx")
TRACE_FORM = {
    # wrt's role -> (LaTeX, plain)
    "scalar": (r"g\,\mathrm{d}x", "g dx"),
    "vector": (r"g^{\top}\mathrm{d}x", "g' dx"),
    "matrix": (r"\operatorname{tr}(G^{\top}\mathrm{d}X)", "tr(G' dX)"),
}


def note_latex(note: Note, lang: str, names: Mapping[str, str], wrt_role: str) -> str:
    """The note as LaTeX text (prose escaped, math in ``\\(...\\)``)."""
    msg = MESSAGES[lang]
    values = {
        "names": ", ".join(rf"\({names.get(n, n)}\)" for n in note.names),
        "layout": fill(msg[f"layout.{note.layout}"]) if note.layout else "",
        "form": rf"\({(LINEAR_FORM if note.key == 'linear_form' else TRACE_FORM[wrt_role])[0]}\)",
    }
    words = fill(msg[f"note.{note.key}"], **values)
    formula = FORMULAS.get(note.key)
    if formula is None:
        return words
    return rf"{words}{fill(msg['colon'])}\({formula[0]}\)"


def note_text(note: Note, wrt_role: str) -> str:
    """The note in plain English words, for the JSON ``note``."""
    msg = MESSAGES["en"]
    words = msg[f"note.{note.key}"].format(
        names=", ".join(note.names), layout=note.layout,
        form=(LINEAR_FORM if note.key == "linear_form" else TRACE_FORM[wrt_role])[1])
    formula = FORMULAS.get(note.key)
    return f"{words}: {formula[1]}" if formula else words


def notes_latex(notes: tuple[Note, ...], lang: str, names: Mapping[str, str],
                wrt_role: str) -> str:
    """Several notes, joined."""
    return "; ".join(note_latex(n, lang, names, wrt_role) for n in notes)


def notes_text(notes: tuple[Note, ...], wrt_role: str) -> str:
    """Several notes in plain words, joined."""
    return "; ".join(note_text(n, wrt_role) for n in notes)


def wrt_role(program: Program, d: Derivation) -> str:
    """scalar, vector or matrix: what the derivation differentiates by."""
    rows, cols = program.symbols[d.wrt].shape
    if (rows, cols) == (1, 1):
        return "scalar"
    return "vector" if cols == 1 else "matrix"
