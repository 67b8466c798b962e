"""The Python API typesets the sheet: ``Sheet.pdf`` gives the PDF's bytes (TeX installed)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import gen

SPEC = Path(__file__).resolve().parents[2] / "specs" / "least-squares.yaml"


def test_pdf_bytes_and_file(tmp_path, tex):
    target = tmp_path / "ls.pdf"
    data = gen.load(SPEC).pdf(target)
    assert data.startswith(b"%PDF") and target.read_bytes() == data
    text = subprocess.run(
        ["pdftotext", str(target), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Least-squares gradient" in text
    assert list(tmp_path.iterdir()) == [target]  # TeX ran in a private folder, now gone


def test_pdf_without_a_path_writes_nothing(tmp_path, tex, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert gen.load(SPEC).pdf().startswith(b"%PDF")
    assert list(tmp_path.iterdir()) == []
