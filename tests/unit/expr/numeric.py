"""Shared by the printer tests: run a numpy form and hold it against the evaluator."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from gen.expr.ast import Node
from gen.expr.evaluate import evaluate
from gen.expr.shape import dim_value
from gen.expr.to_numpy import to_numpy


def run_numpy(code: str, values: Mapping[str, Any]) -> Any:
    """Evaluate printed numpy text with nothing but np and the values in scope."""
    return eval(code, {"__builtins__": {}, "np": np, **values})  # noqa: S307 - test only


def assert_numpy_matches_evaluate(
    tree: Node, values: Mapping[str, Any], sizes: Mapping[str, int], size_text: Mapping[str, str]
) -> None:
    """The numpy form of a typed tree has its shape and the evaluator's value."""
    expected = evaluate(tree, dict(values), dict(sizes))
    with np.errstate(all="raise"):
        got = run_numpy(to_numpy(tree, size_text), values)
    assert tree.shape is not None
    rows, cols = (dim_value(d, sizes) for d in tree.shape)
    if (rows, cols) == (1, 1):
        assert isinstance(expected, float)
        assert np.shape(got) in ((), (1, 1))
    else:
        assert np.shape(got) == (rows, cols) == np.shape(expected)
    np.testing.assert_allclose(np.reshape(got, np.shape(expected)), expected, rtol=1e-10)
