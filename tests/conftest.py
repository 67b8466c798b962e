"""Shared fixtures: whether TeX is here (skip or fail), and sample sheet contexts."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from typing import Any

import pytest

from gen.make.latexmk import find_tex
from gen.render.messages import MESSAGES
from gen.render.sheet import escape_tex

TEX_TOOLS = ("pdftotext",)


def _require_tex() -> bool:
    """Whether a missing TeX must fail the tests (CI sets GRADSHEET_REQUIRE_TEX)."""
    return os.environ.get("GRADSHEET_REQUIRE_TEX", "") not in ("", "0")


@pytest.fixture(scope="session")
def tex() -> str:
    """The path of latexmk, once pdflatex, xelatex and pdftotext are known to exist.

    Skips the test when TeX is missing, unless GRADSHEET_REQUIRE_TEX is set:
    then a missing TeX is a failure, never a skip.
    """
    found = {engine: find_tex(engine) for engine in ("pdflatex", "xelatex")}
    missing = [engine for engine, path in found.items() if path is None]
    missing += [tool for tool in TEX_TOOLS if shutil.which(tool) is None]
    if missing:
        message = f"TeX tools missing: {', '.join(missing)}"
        if _require_tex():
            pytest.fail(message + " (GRADSHEET_REQUIRE_TEX is set)")
        pytest.skip(message)
    return str(found["pdflatex"])


_PROSE = {
    "en": {
        "title": "Least-squares gradient",
        "subtitle": "Linear regression, section 2",
        "author": "Course staff",
        "m": "number of samples",
        "n": "number of features",
        "X": "design matrix, one sample per row",
        "w": "weights",
        "y": "targets",
        "lam": "regularisation weight",
        "text1": "The loss is a scalar, so we write its differential and read off the gradient.",
        "text2": "The same gradient by the chain rule, every factor with its shape.",
        "text3": "Through a matrix: entry by entry, then back to matrix form.",
        "product": "product rule",
        "transpose": "a scalar equals its transpose",
        "dz": "dz = X dw, as X and y are constant",
        "readoff": "of the form g^T dw: the gradient is g (denominator layout)",
        "local1": "gradient of z^T z / 2",
        "local2": "Jacobian of X w - y (numerator layout)",
        "chain": "chain rule, mixed layout",
        "entry": "sum over the entries of Y",
        "delta": "dY_kl / dW_ij = A_ki delta_lj",
        "matrix": "back to matrix form",
    },
    "zh": {
        "title": "最小二乘的梯度",
        "subtitle": "线性回归，第二节",
        "author": "课程组",
        "m": "样本数",
        "n": "特征数",
        "X": "设计矩阵，每行一个样本",
        "w": "权重",
        "y": "目标值",
        "lam": "正则化系数",
        "text1": "损失是标量：先写出它的微分，再读出梯度。",
        "text2": "用链式法则求同一个梯度，每个因子都标明形状。",
        "text3": "经过矩阵：逐个元素求导，再写回矩阵形式。",
        "product": "乘积法则",
        "transpose": "标量等于其转置",
        "dz": "dz = X dw，因为 X 与 y 是常量",
        "readoff": "形如 g^T dw，梯度即 g（分母布局）",
        "local1": "z^T z / 2 的梯度",
        "local2": "X w - y 的雅可比矩阵（分子布局）",
        "chain": "链式法则，混合布局",
        "entry": "对 Y 的各元素求和",
        "delta": "dY_kl / dW_ij = A_ki delta_lj",
        "matrix": "写回矩阵形式",
    },
}


def make_context(lang: str = "en") -> dict[str, Any]:
    """A realistic sheet context (least squares, three methods, one failed check)."""
    t = _PROSE[lang]
    msg = MESSAGES[lang]
    d = r"\mathrm{d}"
    context = {
        "title": t["title"],
        "subtitle": t["subtitle"],
        "author": t["author"],
        "lang": lang,
        "msg": msg,
        "style": {"bold": False, "transpose": "top", "mark": r"^{\top}"},
        "layout": {
            "name": "mixed",
            "summary": msg["layout_summary.mixed"],
            "implied": [
                {
                    "lhs": r"\partial J/\partial w",
                    "space": r"\mathbb{R}^{n \times 1}",
                    "layout": "mixed",
                },
                {
                    "lhs": r"\partial J/\partial w",
                    "space": r"\mathbb{R}^{n \times 1}",
                    "layout": "denominator",
                },
                {
                    "lhs": r"\partial J/\partial W",
                    "space": r"\mathbb{R}^{n \times n_{1}}",
                    "layout": "mixed",
                },
            ],
        },
        "dims": [{"latex": "m", "note": t["m"]}, {"latex": "n", "note": t["n"]}],
        "variables": [
            {"latex": "X", "shape": r"m \times n", "text": t["X"], "props": ["constant"]},
            {"latex": "w", "shape": r"n \times 1", "text": t["w"], "props": []},
            {"latex": "y", "shape": r"m \times 1", "text": t["y"], "props": []},
            {"latex": r"\lambda", "shape": r"1 \times 1", "text": t["lam"], "props": ["positive"]},
            {"latex": "A", "shape": r"m \times n", "text": None, "props": []},
            {"latex": "W", "shape": r"n \times n_{1}", "text": None, "props": []},
        ],
        "definitions": [
            {"lhs": "z", "rhs": "X w - y", "shape": r"m \times 1"},
            {
                "lhs": "J",
                "rhs": r"\frac{1}{2} z^{\top} z + \frac{\lambda}{2} w^{\top} w",
                "shape": r"1 \times 1",
            },
            {"lhs": "Y", "rhs": "A W", "shape": r"m \times n_{1}"},
        ],
        "derivations": [
            {
                "number": 1,
                "title": r"\frac{\partial J}{\partial w}",
                "inline": r"\partial J/\partial w",
                "of": "J",
                "wrt": "w",
                "order": 1,
                "layout": "denominator",
                "method": "differential",
                "kind": "scalar-by-vector",
                "shape": r"n \times 1",
                "text": t["text1"],
                "steps": [
                    {
                        "lhs": rf"{d} J",
                        "rhs": rf"\frac{{1}}{{2}} \left({d} z^{{\top}} z + z^{{\top}} {d} z\right)"
                        rf" + \frac{{\lambda}}{{2}} \left({d} w^{{\top}} w"
                        rf" + w^{{\top}} {d} w\right)",
                        "note": escape_tex(t["product"]),
                    },
                    {
                        "lhs": "",
                        "rhs": rf"z^{{\top}} {d} z + \lambda w^{{\top}} {d} w",
                        "note": escape_tex(t["transpose"]),
                    },
                    {
                        "lhs": "",
                        "rhs": rf"z^{{\top}} X \, {d} w + \lambda w^{{\top}} {d} w",
                        "note": escape_tex(t["dz"]),
                    },
                    {
                        "lhs": "",
                        "rhs": rf"\left(X^{{\top}} z + \lambda w\right)^{{\top}} {d} w",
                        "note": escape_tex(t["readoff"]),
                    },
                ],
                "result_lhs": r"\frac{\partial J}{\partial w}",
                "result": r"X^{\top} \left(X w - y\right) + \lambda w",
                "verified": {
                    "ok": True,
                    "max_rel_error": 3.1e-11,
                    "points": 5,
                    "steps": 0,
                    "checkable": 0,
                },
                "agree": None,
            },
            {
                "number": 2,
                "title": r"\frac{\partial J}{\partial w}",
                "inline": r"\partial J/\partial w",
                "of": "J",
                "wrt": "w",
                "order": 1,
                "layout": "mixed",
                "method": "chain",
                "kind": "scalar-by-vector",
                "shape": r"n \times 1",
                "text": t["text2"],
                "steps": [
                    {
                        "lhs": r"\frac{\partial J}{\partial z}",
                        "rhs": "z",
                        "note": escape_tex(t["local1"]),
                    },
                    {
                        "lhs": r"\frac{\partial z}{\partial w}",
                        "rhs": "X",
                        "note": escape_tex(t["local2"]),
                    },
                    {
                        "lhs": r"\frac{\partial J}{\partial w}",
                        "rhs": r"\left(\frac{\partial z}{\partial w}\right)^{\top}"
                        r" \frac{\partial J}{\partial z}",
                        "note": escape_tex(t["chain"]),
                        "factors": [
                            {
                                "latex": r"\left(\frac{\partial z}{\partial w}\right)^{\top}",
                                "shape": r"n \times m",
                            },
                            {"latex": r"\frac{\partial J}{\partial z}", "shape": r"m \times 1"},
                        ],
                        "lhs_shape": r"n \times 1",
                        "checked": True,
                    },
                    {
                        "lhs": "",
                        "rhs": r"\left(\frac{\partial z}{\partial w}\right)^{\top}"
                        r" \frac{\partial J}{\partial z} + \lambda w"
                        r" = X^{\top} z + \lambda w",
                        "note": escape_tex(t["chain"]),
                    },
                ],
                "result_lhs": r"\frac{\partial J}{\partial w}",
                "result": r"X^{\top} \left(X w - y\right) + \lambda w",
                "verified": {
                    "ok": True,
                    "max_rel_error": 2.4e-10,
                    "points": 5,
                    "steps": 3,
                    "checkable": 3,
                },
                "agree": {
                    "methods": ["differential", "chain"],
                    "ok": True,
                    "max_rel_error": 1.5e-15,
                },
            },
            {
                "number": 3,
                "title": r"\frac{\partial J}{\partial W_{ij}}",
                "inline": r"\partial J/\partial W",
                "of": "J",
                "wrt": "W",
                "order": 1,
                "layout": "mixed",
                "method": "index",
                "kind": "scalar-by-matrix",
                "shape": r"n \times n_{1}",
                "text": t["text3"],
                "steps": [
                    {
                        "lhs": r"\frac{\partial J}{\partial W_{ij}}",
                        "rhs": r"\sum_{k=1}^{m} \sum_{l=1}^{n_{1}}"
                        r" \frac{\partial J}{\partial Y_{kl}}"
                        r" \frac{\partial Y_{kl}}{\partial W_{ij}}",
                        "note": escape_tex(t["entry"]),
                    },
                    {
                        "lhs": "",
                        "rhs": r"\sum_{k=1}^{m} \sum_{l=1}^{n_{1}}"
                        r" \frac{\partial J}{\partial Y_{kl}} A_{ki} \delta_{lj}"
                        r" = \sum_{k=1}^{m} A_{ki} \frac{\partial J}{\partial Y_{kj}}",
                        "note": escape_tex(t["delta"]),
                    },
                    {
                        "lhs": "",
                        "rhs": r"\left(A^{\top} \frac{\partial J}{\partial Y}\right)_{ij}",
                        "note": escape_tex(t["matrix"]),
                    },
                ],
                "result_lhs": r"\frac{\partial J}{\partial W}",
                "result": r"A^{\top} \frac{\partial J}{\partial Y}",
                "verified": {
                    "ok": False,
                    "max_rel_error": 0.42,
                    "points": 5,
                    "steps": 0,
                    "checkable": 2,
                },
                "agree": None,
            },
        ],
    }
    for derivation in context["derivations"]:
        for step in derivation["steps"]:
            step.setdefault("factors", [])
            step.setdefault("lhs_shape", None)
            step.setdefault("checked", None)
    return context


@pytest.fixture()
def sample_context() -> Callable[[str], dict[str, Any]]:
    """A factory of sample sheet contexts by language ("en" or "zh")."""
    return make_context
