"""Notes beside the steps: catalogue words and the rule's formula, for the sheet and the JSON."""

from __future__ import annotations

from collections.abc import Mapping

from gen.derive.notes import Note
from gen.derive.steps import Derivation
from gen.program import Program
from gen.render.formulas import FORMULAS
from gen.render.messages import MESSAGES
from gen.render.sheet import fill
from gen.render.style import Names, Typeset

# The forms a differential is brought to; {of} and {wrt} are the derivation's names.
# {g} is the gradient's letter: g for a vector, G for a matrix, J for a Jacobian.
LINEAR_FORM = (r"\mathrm{{d}}{of} = {g}\,\mathrm{{d}}{wrt}", "d{of} = J d{wrt}", "J")
TRACE_FORM = {
    # wrt's role -> (LaTeX, plain, letter)
    "scalar": (r"\mathrm{{d}}{of} = {g}\,\mathrm{{d}}{wrt}", "d{of} = g d{wrt}", ""),
    "vector": (r"\mathrm{{d}}{of} = {g}^{{\top}}\mathrm{{d}}{wrt}", "d{of} = g' d{wrt}", "g"),
    "matrix": (
        r"\mathrm{{d}}{of} = \operatorname{{tr}}({g}^{{\top}}\mathrm{{d}}{wrt})",
        "d{of} = tr(G' d{wrt})",
        "G",
    ),
}
GENERIC = {"scalar": ("z", "x"), "vector": ("z", "x"), "matrix": ("z", "X")}


def message(lang: str, key: str) -> str:
    """A note's words: the language's catalogue, else English, else the key itself.

    A note key the catalogue does not know yet still prints (tests hold the
    catalogue complete for every key the engines use).
    """
    for catalogue in (MESSAGES[lang], MESSAGES["en"]):
        if f"note.{key}" in catalogue:
            return catalogue[f"note.{key}"]
    return key.replace("_", " ")


def _form(note: Note, wrt_role: str) -> tuple[str, str, str]:
    return LINEAR_FORM if note.key == "linear_form" else TRACE_FORM[wrt_role]


def note_latex(
    note: Note,
    lang: str,
    ts: Typeset | Mapping[str, str],
    wrt_role: str,
    pair: tuple[str, str] | None = None,
) -> str:
    """The note as LaTeX text (prose escaped, math in ``\\(...\\)``).

    Args:
        note: The rule applied.
        lang: The sheet's language.
        ts: How the sheet writes names and transposes.
        wrt_role: ``scalar``, ``vector`` or ``matrix``: the form a differential takes.
        pair: The derivation's ``(of, wrt)``, named in that form (generic letters if None).
    """
    if not isinstance(ts, Typeset):
        ts = Typeset(ts if isinstance(ts, Names) else Names(ts))
    msg = MESSAGES[lang]
    of, wrt = (ts.name(pair[0]), ts.name(pair[1])) if pair else GENERIC[wrt_role]
    values = {
        "names": ", ".join(rf"\({ts.names.get(n) or n}\)" for n in note.names),
        "layout": fill(msg[f"layout.{note.layout}"]) if note.layout else "",
        "form": rf"\({ts.formula(_form_latex(note, wrt_role, ts, of, wrt))}\)",
    }
    words = fill(message(lang, note.key), **values)
    formula = FORMULAS.get(note.key)
    if formula is None:
        return words
    return rf"{words}{fill(msg['colon'])}\({ts.formula(formula[0])}\)"


def _form_latex(note: Note, wrt_role: str, ts: Typeset, of: str, wrt: str) -> str:
    """The form a differential is brought to, its gradient letter bold when names are."""
    latex, _, letter = _form(note, wrt_role)
    g = (rf"\boldsymbol{{{letter}}}" if ts.bold else letter) if letter else "g"
    return latex.format(of=of, wrt=wrt, g=g)


def note_text(note: Note, wrt_role: str, pair: tuple[str, str] | None = None) -> str:
    """The note in plain English words, for the JSON ``note``."""
    of, wrt = pair or GENERIC[wrt_role]
    form = _form(note, wrt_role)[1].format(of=of, wrt=wrt)
    words = message("en", note.key).format(
        names=", ".join(note.names), layout=note.layout, form=form
    )
    formula = FORMULAS.get(note.key)
    return f"{words}: {formula[1]}" if formula else words


def notes_latex(
    notes: tuple[Note, ...],
    lang: str,
    ts: Typeset | Mapping[str, str],
    wrt_role: str,
    pair: tuple[str, str] | None = None,
) -> str:
    """Several notes, joined."""
    sep = fill(MESSAGES[lang]["sep.notes"])
    return sep.join(note_latex(n, lang, ts, wrt_role, pair) for n in notes)


def notes_text(notes: tuple[Note, ...], wrt_role: str, pair: tuple[str, str] | None = None) -> str:
    """Several notes in plain words, joined."""
    return "; ".join(note_text(n, wrt_role, pair) for n in notes)


def wrt_role(program: Program, d: Derivation) -> str:
    """scalar, vector or matrix: what the derivation differentiates by."""
    rows, cols = program.symbols[d.wrt].shape
    if (rows, cols) == (1, 1):
        return "scalar"
    return "vector" if cols == 1 else "matrix"
