"""``gradsheet build --to``: what a build writes, no TeX without pdf, the cache per formats."""

from __future__ import annotations

from tests.e2e.cli_helpers import gradsheet, outputs, small


def test_unknown_format_is_a_usage_error(tmp_path):
    spec = small(tmp_path / "specs")
    done = gradsheet("build", str(spec), "-o", str(tmp_path / "out"), "--to", "html,docx")
    assert done.returncode == 2
    assert "unknown format 'docx'" in done.stderr
    assert (
        "valid formats: pdf, body, json, slides, handout, html, md, exercise (or all)"
        in done.stderr
    )
    assert not (tmp_path / "out").exists()


def test_html_and_md_only(tmp_path, monkeypatch):
    spec = small(tmp_path / "specs")
    out = tmp_path / "out"
    monkeypatch.setenv("PATH", "/nonexistent")  # no TeX to be found: none may be needed
    done = gradsheet("build", str(spec), "-o", str(out), "--to", "md,html")
    assert done.returncode == 0, done.stderr
    assert sorted(outputs(out)) == ["ls.html", "ls.md"]
    page = outputs(out)["ls.html"].decode()
    assert "<math" in page and "<script" not in page


def test_cache_keys_on_formats(tmp_path):
    spec = small(tmp_path / "specs")
    out = tmp_path / "out"
    first = gradsheet("build", str(spec), "-o", str(out), "--no-pdf")
    assert first.returncode == 0, first.stderr
    assert sorted(outputs(out)) == ["ls.body.tex", "ls.json", "ls.tex"]
    second = gradsheet("build", str(spec), "-o", str(out), "--to", "html", "-v")
    assert second.returncode == 0, second.stderr
    assert "ls.html" in outputs(out)
    third = gradsheet("build", str(spec), "-o", str(out), "--to", "html", "-v")
    assert "up to date" in third.stderr


def test_all_is_every_format(tmp_path):
    spec = small(tmp_path / "specs")
    out = tmp_path / "out"
    done = gradsheet("build", str(spec), "-o", str(out), "--to", "all", "--no-pdf")
    assert done.returncode == 0, done.stderr
    assert sorted(outputs(out)) == [
        "ls.body.tex",
        "ls.exercise.tex",
        "ls.handout.tex",
        "ls.html",
        "ls.json",
        "ls.md",
        "ls.slides.tex",
        "ls.tex",
    ]
