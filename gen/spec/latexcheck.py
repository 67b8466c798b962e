"""The allowlist of ``latex:`` name overrides: what a spec may put into the sheet's math."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

MAX_LENGTH = 200

_GREEK_LOWER = (
    "alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa varkappa "
    "lambda mu nu xi pi varpi rho varrho sigma varsigma tau upsilon phi varphi chi psi omega"
)
_GREEK_UPPER = "Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega"
GREEK = frozenset(
    _GREEK_LOWER.split() + _GREEK_UPPER.split() + [f"var{g}" for g in _GREEK_UPPER.split()]
)
# Macros that take one argument: accents and font switches.
WITH_ARGUMENT = frozenset(
    "hat bar tilde dot ddot vec check breve mathbf boldsymbol mathrm mathit mathcal mathbb "
    "mathsf operatorname".split()
)
SYMBOLS = frozenset("prime ell top star ast dagger circ".split())
ALLOWED_MACROS = GREEK | WITH_ARGUMENT | SYMBOLS
_PLAIN = frozenset("_^{}',() ")
RULE = "letters, digits, spaces, _ ^ { } ' , ( ) and allowed macros"


@dataclass(frozen=True)
class Problem:
    """Why a ``latex:`` value is refused, and the characters ``start:end`` at fault."""

    message: str
    start: int
    end: int


def _is_ascii_letter(ch: str) -> bool:
    return ch.isascii() and ch.isalpha()


def _is_plain(ch: str) -> bool:
    return ch.isascii() and (ch.isalnum() or ch in _PLAIN)


def _macro_problem(name: str, start: int, end: int) -> Problem | None:
    if name in ALLOWED_MACROS:
        return None
    close = difflib.get_close_matches(name, sorted(ALLOWED_MACROS), n=1, cutoff=0.75)
    hint = (
        f" (did you mean '\\{close[0]}'?)"
        if close
        else (
            "; allowed: Greek letters, \\hat, \\bar, \\tilde, \\mathbf, \\operatorname, ... "
            "(see docs/cli.md)"
        )
    )
    return Problem(f"macro '\\{name}' is not allowed in 'latex'{hint}", start, end)


def _next_visible(value: str, pos: int) -> str:
    """The first character at or after ``pos`` that is not a space ('' at the end)."""
    while pos < len(value) and value[pos] == " ":
        pos += 1
    return value[pos] if pos < len(value) else ""


def check_latex(value: str) -> Problem | None:  # noqa: C901 - one refusal per hazard
    """The first reason to refuse ``value`` as the LaTeX of a name, or None when it is safe.

    Accepted: ASCII letters and digits, spaces, ``_ ^ { } ' , ( )``, and backslash
    macros from ``ALLOWED_MACROS``, with balanced braces. Refused besides: TeX's
    ``^^`` character codes, a ``^`` or ``_`` with nothing after it, and an accent
    or font macro without its argument.

    Args:
        value: The text of a ``latex:`` key.

    Returns:
        The first problem, with the offsets of the characters at fault.
    """
    if not value.strip():
        return Problem("'latex' is empty", 0, max(1, len(value)))
    if len(value) > MAX_LENGTH:
        return Problem(f"'latex' is longer than {MAX_LENGTH} characters", 0, len(value))
    opened: list[int] = []
    pos = 0
    while pos < len(value):
        ch = value[pos]
        if ch == "\\":
            end = pos + 1
            while end < len(value) and _is_ascii_letter(value[end]):
                end += 1
            if end == pos + 1:
                shown = value[pos : pos + 2]
                return Problem(
                    f"'{shown}' is not allowed in 'latex': a backslash must start "
                    "an allowed macro such as \\alpha or \\hat",
                    pos,
                    pos + 2,
                )
            name = value[pos + 1 : end]
            problem = _macro_problem(name, pos, end)
            if problem is not None:
                return problem
            if name in WITH_ARGUMENT and _next_visible(value, end) in ("", "}", "^", "_"):
                return Problem(f"'\\{name}' needs an argument, e.g. \\{name}{{x}}", pos, end)
            pos = end
            continue
        if not _is_plain(ch):
            return Problem(
                f"character {ch!r} is not allowed in 'latex' ({RULE} only)", pos, pos + 1
            )
        if ch in "^_":
            after = value[pos + 1 : pos + 2]
            if ch == "^" and after == "^":
                return Problem(
                    "'^^' is not allowed in 'latex' (TeX reads it as a character code)",
                    pos,
                    pos + 2,
                )
            if _next_visible(value, pos + 1) in ("", "}", "^", "_"):
                return Problem(f"'{ch}' needs something after it, e.g. x{ch}{{2}}", pos, pos + 1)
        elif ch == "{":
            opened.append(pos)
        elif ch == "}":
            if not opened:
                return Problem("unmatched '}' in 'latex'", pos, pos + 1)
            opened.pop()
        pos += 1
    if opened:
        return Problem("unclosed '{' in 'latex'", opened[-1], opened[-1] + 1)
    return None
