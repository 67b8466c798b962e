"""The Python API of SPEC section 10: load a spec, derive and check it, get its results and sheet.

Everything a notebook or a script needs is here and re-exported by ``gen``
(and ``gradsheet``)::

    import gen

    sheet = gen.loads(yaml_text)          # or gen.load("specs/least-squares.yaml")
    sheet.results                         # the JSON contract (SPEC section 6), a dict
    sheet.derivations[0].result_text      # "X'*(X*w - y)"
    sheet.tex()                           # the standalone .tex of the sheet
    sheet.pdf("sheet.pdf")                # the PDF (needs TeX)

Every failure raises ``gen.SpecError``; its ``errors`` are the located
messages, and ``str()`` shows them as the command line does.
"""

from __future__ import annotations

import html
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gen.derive.steps import Derivation as _Derived
from gen.errors import GenError, GenErrors, Span, SpecError
from gen.make.guard import guarded
from gen.make.latexmk import TEX_MISSING, compile_pdf
from gen.make.options import DEFAULT_TIMEOUT
from gen.make.pipeline import check_spec, template_folder
from gen.make.specs import output_name
from gen.program import Program, build_program
from gen.render.sheet import render_tex
from gen.render.texchars import sheet_engine
from gen.render.view import sheet_context
from gen.spec.chars import decode
from gen.spec.load import load_spec_text

__all__ = ["Derivation", "Sheet", "SpecError", "load", "loads"]


def load(path: str | Path) -> Sheet:
    """Read a spec file.

    Args:
        path: The spec file (``.yaml``); its name (without ``.yaml``) names the sheet.

    Returns:
        The sheet, read and checked for errors in the spec itself (not yet derived).

    Raises:
        SpecError: The file cannot be read, or the spec has errors.
    """
    file = Path(path)
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise SpecError(
            [GenError(f"cannot read spec file: {exc.strerror or exc}", Span(str(path)))]
        ) from None
    try:
        text = decode(data, str(path))
    except GenErrors as errs:
        raise SpecError(errs.errors) from None
    except GenError as err:
        raise SpecError([err]) from None
    return Sheet(str(path), text)


def loads(text: str, name: str = "spec") -> Sheet:
    """Read a spec from its YAML text.

    Args:
        text: The spec, as a spec file would hold it.
        name: The sheet's name (``spec`` in the results); messages call the
            text ``NAME.yaml``, and their lines count from the text's first line.

    Returns:
        The sheet, read and checked for errors in the spec itself (not yet derived).

    Raises:
        SpecError: The spec has errors.
    """
    return Sheet(f"{name}.yaml", text)


@dataclass(frozen=True)
class Derivation:
    """One derivation of a sheet: one target in one method, as the JSON contract has it.

    Attributes:
        data: Its entry of ``derivations`` in the results (SPEC section 6).
    """

    data: Mapping[str, Any]

    @property
    def of(self) -> str:
        """The name differentiated."""
        return str(self.data["of"])

    @property
    def wrt(self) -> str:
        """The variable it is differentiated with respect to."""
        return str(self.data["wrt"])

    @property
    def layout(self) -> str:
        """The layout of the result (``numerator``, ``denominator``, ``mixed``, ...)."""
        return str(self.data["layout"])

    @property
    def method(self) -> str:
        """The method whose steps it shows (``chain``, ``differential``, ...)."""
        return str(self.data["method"])

    @property
    def shape(self) -> list[Any]:
        """The result's shape, as the JSON gives it (``["n", 1]``)."""
        return list(self.data["shape"])

    @property
    def result_text(self) -> str:
        """The result in the spec's own expression syntax (it parses back)."""
        return str(self.data["result"]["text"])

    @property
    def latex(self) -> str:
        """The result in LaTeX (math mode, without delimiters)."""
        return str(self.data["result"]["latex"])

    @property
    def numpy(self) -> str:
        """The result as a Python expression over ``np`` and the variable names."""
        return str(self.data["result"]["numpy"])

    @property
    def verified(self) -> bool:
        """Whether the result passed its numeric check."""
        return bool(self.data["verified"]["numeric"])

    @property
    def steps(self) -> list[Mapping[str, Any]]:
        """Its steps: each with ``latex`` (the displayed line) and ``note``."""
        return list(self.data["steps"])

    @property
    def equation(self) -> str:
        """The whole result line in LaTeX: the derivative's name, ``=``, the result."""
        steps = self.steps
        last = str(steps[-1]["latex"]) if steps else ""
        return last if last.endswith(self.latex) else self.latex

    def __str__(self) -> str:
        return f"d{self.of}/d{self.wrt} ({self.method}, {self.layout}) = {self.result_text}"

    def _repr_latex_(self) -> str:
        return f"$\\displaystyle {self.equation}$"

    def _repr_html_(self) -> str:
        check = "verified" if self.verified else "NOT verified"
        return (
            f"<p>{html.escape(str(self.method))}, {html.escape(self.layout)} layout "
            f"({check}):</p>\n<p>\\({html.escape(self.equation)}\\)</p>\n"
            f"<p><code>{html.escape(self.result_text)}</code></p>"
        )


@dataclass
class Sheet:
    """A spec, derived and checked on first use; its results and its sheet.

    Attributes:
        path: The spec file (for ``loads``: ``NAME.yaml``, a name only).
        text: The spec's YAML text.
        timeout: Seconds allowed to each derivation (and to the TeX run of ``pdf``).
    """

    path: str
    text: str
    timeout: float = DEFAULT_TIMEOUT
    _program: Program | None = field(default=None, init=False, repr=False)
    _derived: list[_Derived] | None = field(default=None, init=False, repr=False)
    _results: dict[str, Any] | None = field(default=None, init=False, repr=False)
    _warnings: list[GenError] = field(default_factory=list, init=False, repr=False)

    def __post_init__(self) -> None:
        program, errors = guarded(
            lambda: build_program(load_spec_text(self.text, self.path)),
            Span(self.path),
            "reading the spec",
        )
        if program is None:
            raise SpecError(errors)
        self._program = program

    @property
    def name(self) -> str:
        """The sheet's name (``spec`` in the results; the outputs' file names)."""
        return output_name(Path(self.path))

    @property
    def title(self) -> str:
        """The spec's title."""
        assert self._program is not None
        return self._program.spec.title.value

    def derive(self, *, exact: bool = False) -> Sheet:
        """Derive and check every target (done once; ``results`` and the rest call it).

        Args:
            exact: Also check each result exactly with SymPy (slower; ``verified.exact``).

        Returns:
            The sheet itself.

        Raises:
            SpecError: A derivation failed or failed its check; the error's
                ``results`` holds the results object with ``ok`` false.
        """
        if self._results is not None and not exact:
            return self
        program, derived, outcome = check_spec(
            Path(self.path), timeout=self.timeout, exact=exact, text=self.text
        )
        if program is None or not outcome.ok:
            raise SpecError(outcome.errors, outcome.results)
        self._program, self._derived, self._results = program, derived, outcome.results
        self._warnings = list(outcome.warnings)
        return self

    @property
    def results(self) -> dict[str, Any]:
        """The results object of SPEC section 6 (what ``NAME.json`` holds)."""
        self.derive()
        assert self._results is not None
        return self._results

    @property
    def derivations(self) -> tuple[Derivation, ...]:
        """Each derivation, in the spec's order (a target with two methods: two)."""
        return tuple(Derivation(d) for d in self.results["derivations"])

    @property
    def warnings(self) -> list[GenError]:
        """The spec's warnings (located), as ``gradsheet check`` prints them."""
        self.derive()
        return list(self._warnings)

    def _render(self) -> tuple[str, str, Mapping[str, Any]]:
        """The standalone .tex, the body, and the sheet context."""
        self.derive()
        program, derived = self._program, self._derived
        assert program is not None and derived is not None
        folder, error = template_folder(program, None)
        if folder is None:
            raise SpecError([error or GenError("no template folder", Span(self.path))])
        context, errors = guarded(
            lambda: sheet_context(program, derived), Span(self.path), "preparing the sheet"
        )
        if context is None:
            raise SpecError(errors)
        rendered, errors = guarded(
            lambda: render_tex(context, folder), Span(self.path), "rendering the sheet"
        )
        if rendered is None:
            raise SpecError(errors)
        return rendered[0], rendered[1], context

    def tex(self) -> str:
        """The sheet's standalone LaTeX source (what ``NAME.tex`` holds)."""
        return self._render()[0]

    def body(self) -> str:
        """The derivation without a preamble, to ``\\input`` (what ``NAME.body.tex`` holds)."""
        return self._render()[1]

    def pdf(self, path: str | Path | None = None) -> bytes:
        """Typeset the sheet with TeX.

        Args:
            path: Where to write the PDF too (nothing is written when None).

        Returns:
            The PDF's bytes.

        Raises:
            SpecError: TeX is missing, or failed (the message holds its first error).
        """
        tex, _, context = self._render()
        with tempfile.TemporaryDirectory(prefix="gradsheet-") as work:
            source = Path(work) / "sheet.tex"
            source.write_text(tex, encoding="utf-8")
            compiled = compile_pdf(source, engine=sheet_engine(context), timeout=self.timeout)
            if not compiled.ok or compiled.pdf is None:
                why = TEX_MISSING if compiled.log_excerpt == TEX_MISSING else "TeX failed"
                detail = "" if why == TEX_MISSING else f":\n{compiled.log_excerpt}"
                raise SpecError([GenError(f"{why}{detail}", Span(self.path))])
            data = compiled.pdf.read_bytes()
        if path is not None:
            Path(path).write_bytes(data)
        return data

    def __str__(self) -> str:
        lines = [f"{self.name}: {self.title}"]
        lines += [f"  {d}" for d in self.derivations]
        return "\n".join(lines)

    def _repr_latex_(self) -> str:
        rows = " \\\\ ".join(d.equation for d in self.derivations)
        return f"$\\displaystyle \\begin{{gathered}} {rows} \\end{{gathered}}$"

    def _repr_html_(self) -> str:
        head = (
            "<tr><th>of</th><th>wrt</th><th>method</th><th>layout</th>"
            "<th>result</th><th>text</th><th>verified</th></tr>"
        )
        rows = [
            "<tr>"
            + "".join(f"<td>{html.escape(cell)}</td>" for cell in (d.of, d.wrt, d.method, d.layout))
            + f"<td>\\({html.escape(d.latex)}\\)</td>"
            + f"<td><code>{html.escape(d.result_text)}</code></td>"
            + f"<td>{'yes' if d.verified else 'no'}</td></tr>"
            for d in self.derivations
        ]
        return (
            f"<p><strong>{html.escape(self.title)}</strong> ({html.escape(self.name)})</p>\n"
            f"<table>\n{head}\n" + "\n".join(rows) + "\n</table>"
        )
