"""The notebook of docs/ runs headless (nbclient + ipykernel) and shows the results it promises.

A missing kernel fails this test: nbclient, nbformat and ipykernel are test
dependencies (pyproject's ``test`` extra), never a reason to skip.
"""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
from nbclient import NotebookClient

DOCS = Path(__file__).resolve().parents[2] / "docs"


def _text(output: dict) -> str:
    if output.get("output_type") == "stream":
        return str(output.get("text", ""))
    data = output.get("data", {})
    return "\n".join(str(data.get(kind, "")) for kind in ("text/plain", "text/html", "text/latex"))


def test_the_api_notebook_runs_and_shows_the_results(tmp_path, monkeypatch):
    notebook = nbformat.read(DOCS / "api-example.ipynb", as_version=4)
    root = str(DOCS.parent)
    path = os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH", "")) if p)
    monkeypatch.setenv("PYTHONPATH", path)  # the kernel imports this checkout's gen
    client = NotebookClient(
        notebook,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.execute()
    cells = [c for c in notebook.cells if c.cell_type == "code"]
    shown = ["\n".join(_text(o) for o in c.get("outputs", [])) for c in cells]
    assert all(not any(o.get("output_type") == "error" for o in c.outputs) for c in cells)
    sheet, listing, first, numeric, error, tex = shown
    assert "<table>" in sheet and "\\(X^{\\top} (X w - y)\\)" in sheet
    assert "X&#x27;*(X*w - y)" in sheet  # the result text, escaped in HTML
    assert listing.splitlines() == [
        "chain X'*(X*w - y) X.T @ (X @ w - y) True",
        "differential X'*(X*w - y) X.T @ (X @ w - y) True",
    ]
    assert "$\\displaystyle \\frac{\\partial J}{\\partial w} = X^{\\top} (X w - y)$" in first
    assert numeric.strip() == "(3, 1) True"
    assert "broken.yaml:16:10: error: 'wrt: v' is not a variable or a definition" in error
    assert "[(16, 10)]" in error
    assert tex.strip().startswith("\\documentclass")
