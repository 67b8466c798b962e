"""``build --dry-run`` writes nothing and says what it would do; ``clean`` removes only gradsheet's."""

from __future__ import annotations

import os
from pathlib import Path

from gen.cli.main import main
from gen.make import pipeline
from tests.e2e.cli_helpers import small, tree


def snapshot(folder: Path) -> dict[str, tuple[bytes | None, int, int]]:
    """Every entry below ``folder``: bytes (files), mode and mtime, links not followed."""
    out = {}
    for path in sorted(folder.rglob("*")):
        st = path.lstat()
        data = path.read_bytes() if path.is_file() and not path.is_symlink() else None
        out[str(path.relative_to(folder))] = (data, st.st_mode, st.st_mtime_ns)
    return out


def no_tex(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("TeX was run")

    monkeypatch.setattr(pipeline, "compile_pdf", refuse)


def test_dry_run_creates_no_output_folder_and_says_what_it_would_write(
    tmp_path, monkeypatch, capsys
):
    no_tex(monkeypatch)
    spec = small(tmp_path / "specs")
    out = tmp_path / "out"
    before = snapshot(tmp_path)
    assert main(["build", str(spec), "-o", str(out), "--dry-run"]) == 0
    assert snapshot(tmp_path) == before and not out.exists()
    err = capsys.readouterr().err
    assert f"would create the output folder {out}" in err
    assert f"would build {spec}: would write {out / 'ls.pdf'}, {out / 'ls.tex'}" in err
    assert "(running TeX for the PDF)" in err and "nothing was written" in err


def test_dry_run_leaves_a_built_folder_byte_for_byte(tmp_path, monkeypatch, capsys):
    spec = small(tmp_path / "specs")
    other = small(tmp_path / "specs", "two", "Two")
    out = tmp_path / "out"
    assert main(["build", str(spec), "-o", str(out), "--no-pdf"]) == 0
    no_tex(monkeypatch)
    other.write_text(other.read_text() + "  - of: J\n    wrt: nothing\n")
    before = snapshot(out)
    capsys.readouterr()
    args = ["build", str(spec), str(other), "-o", str(out), "--dry-run", "--no-pdf"]
    assert main(args) == 1  # the second spec fails
    assert snapshot(out) == before
    err = capsys.readouterr().err
    assert f"would leave {spec} alone: its outputs are up to date" in err
    assert f"would fail {other}" in err and f"{other}:13:10: error" in err
    assert main(["build", str(spec), "-o", str(out), "--dry-run", "--force"]) == 0
    assert snapshot(out) == before
    assert f"would build {spec}: would write {out / 'ls.pdf'}" in capsys.readouterr().err


def test_dry_run_quiet_prints_nothing_for_good_specs(tmp_path, monkeypatch, capsys):
    no_tex(monkeypatch)
    spec = small(tmp_path / "specs")
    assert main(["build", str(spec), "-o", str(tmp_path / "out"), "--dry-run", "-q"]) == 0
    assert capsys.readouterr().err == ""
    assert not (tmp_path / "out").exists()


def test_clean_removes_what_gradsheet_wrote_and_nothing_else(tmp_path, capsys):
    spec = small(tmp_path / "specs")
    small(tmp_path / "specs", "two", "Two")
    out = tmp_path / "out"
    assert main(["build", str(tmp_path / "specs"), "-o", str(out), "--no-pdf"]) == 0
    (out / "notes.txt").write_text("mine")
    (out / "ls.pdf").write_text("not gradsheet's")  # no build wrote it
    edited = out / "two.tex"
    edited.write_text(edited.read_text() + "% my edit\n")
    before = snapshot(out)
    capsys.readouterr()
    assert main(["clean", "-o", str(out), "--dry-run"]) == 0
    assert snapshot(out) == before
    said = capsys.readouterr().err
    assert (
        f"would remove {out / 'ls.tex'}" in said and f"would remove {out / '.gradsheet'}/" in said
    )
    assert main(["clean", "-o", str(out)]) == 0
    said = capsys.readouterr().err
    assert sorted(tree(out)) == ["ls.pdf", "notes.txt", "two.tex"]
    assert f"removed {out / 'ls.json'}" in said and f"removed {out / 'two.body.tex'}" in said
    assert f"leaving {edited}: changed since gradsheet wrote it" in said
    assert spec.is_file()
    assert main(["clean", "-o", str(out)]) == 0
    assert "nothing to remove" in capsys.readouterr().err


def test_clean_follows_no_symbolic_link(tmp_path, capsys):
    spec = small(tmp_path / "specs")
    out = tmp_path / "out"
    assert main(["build", str(spec), "-o", str(out), "--no-pdf"]) == 0
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "keep.txt").write_text("keep")
    os.symlink(precious, out / ".gradsheet" / "link")  # inside the cache folder
    target = tmp_path / "elsewhere.tex"
    target.write_text("elsewhere")
    (out / "ls.tex").unlink()
    os.symlink(target, out / "ls.tex")  # an output replaced by a link
    assert main(["clean", "-o", str(out)]) == 0
    assert "leaving" in capsys.readouterr().err
    assert (precious / "keep.txt").read_text() == "keep" and target.read_text() == "elsewhere"
    assert (out / "ls.tex").is_symlink() and not (out / ".gradsheet").exists()
    # a link in place of the cache folder is left, never followed
    other = tmp_path / "other"
    (other / "cache").mkdir(parents=True)
    (other / "cache" / "x.json").write_text("{}")
    os.symlink(other, out / ".gradsheet")
    assert main(["clean", "-o", str(out)]) == 0
    assert "not a plain folder" in capsys.readouterr().err
    assert (other / "cache" / "x.json").is_file() and (out / ".gradsheet").is_symlink()
