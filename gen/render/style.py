"""A spec's ``style:`` applied: names (bold by shape), the transpose mark, expressions."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from gen.expr.ast import SCALAR, Node, Shape
from gen.expr.names import latex_name
from gen.expr.to_latex import to_latex
from gen.program import DerivativeName, Program

# The spec's ``style: {transpose: ...}`` -> what a transpose appends.
TRANSPOSE_MARKS: dict[str, str] = {"top": r"^{\top}", "T": "^{T}", "prime": "'"}
DEFAULT_MARK = TRANSPOSE_MARKS["top"]
DIFFERENTIAL = r"\mathrm{d}"


VEC = r"\operatorname{vec}"


class Names(dict[str, str]):
    """Names to LaTeX; a derivative name (``DerivativeName``) typesets as a fraction of the
    two (of their vecs, for a pair that goes through vec: names in ``through_vec``)."""

    through_vec: frozenset[str] = frozenset()  # the non-vector matrices

    def get(self, key: str, default: str | None = None) -> str | None:  # type: ignore[override]
        """The LaTeX of ``key``, or ``default``."""
        if isinstance(key, DerivativeName):
            return self.fraction(key.of, key.wrt)
        return super().get(key, default)

    def fraction(self, of: str, wrt: str) -> str:
        r"""``\frac{\partial of}{\partial wrt}``, through vec where the pair asks for it."""
        top, bottom = super().get(of, latex_name(of)), super().get(wrt, latex_name(wrt))
        if self.vec_pair(of, wrt):
            top, bottom = f"{VEC} {top}", f"{VEC} {bottom}"
        return rf"\frac{{\partial {top}}}{{\partial {bottom}}}"

    def vec_pair(self, of: str, wrt: str) -> bool:
        """Whether d of / d wrt is written through vec (a matrix on one side, no scalar)."""
        return bool({of, wrt} & self.through_vec) and not ({of, wrt} & self.scalars)

    scalars: frozenset[str] = frozenset()

    def __getitem__(self, key: str) -> str:
        found = self.get(key)
        if found is None:
            raise KeyError(key)
        return found


@dataclass(frozen=True)
class Typeset:
    """How one sheet writes its mathematics.

    Attributes:
        names: LaTeX of every name, of ``d<name>`` and of each ``DerivativeName``.
        transpose: The transpose mark, e.g. ``^{\\top}``.
        bold: Whether vectors and matrices are bold.
        shapes: The shape of every name.
        plain: LaTeX of every name, never bold (for entries such as ``W_{ij}``).
    """

    names: Mapping[str, str] = field(default_factory=Names)
    transpose: str = DEFAULT_MARK
    bold: bool = False
    shapes: Mapping[str, Shape] = field(default_factory=dict)
    plain: Mapping[str, str] = field(default_factory=dict)

    def expr(self, node: Node | str, breaks: bool = False) -> str:
        """An expression as LaTeX (a string is taken as LaTeX already).

        Args:
            node: The expression.
            breaks: Mark the top-level ``+`` and ``-`` where a long line may break.
        """
        if isinstance(node, str):
            return node
        return to_latex(node, self.names, self.transpose, bold=self.bold, breaks=breaks)

    def name(self, name: str) -> str:
        """The LaTeX of one name."""
        return self.names.get(name) or latex_name(name)

    def formula(self, latex: str) -> str:
        """A rule's formula or an entry-by-entry line, in this sheet's transpose mark."""
        return latex.replace(DEFAULT_MARK, self.transpose)

    def derivative(self, of: str, wrt: str, order: int = 1) -> str:
        r"""``\frac{\partial J}{\partial w}``, or the Hessian for ``order`` 2."""
        if order == 2:
            w = self.name(wrt)
            return (
                rf"\frac{{\partial^{{2}} {self.name(of)}}}"
                rf"{{\partial {w}\,\partial {_sup(w)}{self.transpose}}}"
            )
        if isinstance(self.names, Names):
            return self.names.fraction(of, wrt)
        return rf"\frac{{\partial {self.name(of)}}}{{\partial {self.name(wrt)}}}"

    def inline_derivative(self, of: str, wrt: str, order: int = 1) -> str:
        r"""The derivative in text style: ``\partial J/\partial w``."""
        if order == 2:
            w = self.name(wrt)
            return (
                rf"\partial^{{2}} {self.name(of)}/\partial {w}\,"
                rf"\partial {_sup(w)}{self.transpose}"
            )
        if isinstance(self.names, Names) and self.names.vec_pair(of, wrt):
            return rf"\partial {VEC} {self.name(of)}/\partial {VEC} {self.name(wrt)}"
        return rf"\partial {self.name(of)}/\partial {self.name(wrt)}"


def _sup(tex: str) -> str:
    """``tex`` ready for a superscript: in braces when it already has one."""
    return "{" + tex + "}" if "^" in tex or "'" in tex else tex


def typeset(program: Program) -> Typeset:
    """The typesetting of a program's sheet, by its spec's ``style``."""
    style = program.spec.style
    mark = TRANSPOSE_MARKS.get(style.transpose, DEFAULT_MARK)
    names = Names()
    for sym in program.symbols.values():
        override = sym.variable.latex.value if sym.variable and sym.variable.latex else None
        bold = style.bold and not _scalar(sym.shape)
        tex = latex_name(sym.name, override, bold) if style.bold else sym.latex
        names[sym.name] = tex
    for name, tex in list(names.items()):
        names[f"d{name}"] = DIFFERENTIAL + tex
    shapes = {sym.name: sym.shape for sym in program.symbols.values()}
    names.through_vec = frozenset(n for n, s in shapes.items() if s[1] != 1)
    names.scalars = frozenset(n for n, s in shapes.items() if _scalar(s))
    plain = {sym.name: sym.latex for sym in program.symbols.values()}
    return Typeset(names, mark, style.bold, shapes, plain)


def _scalar(shape: Shape) -> bool:
    return tuple(shape) == SCALAR
