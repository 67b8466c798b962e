"""Staging and promoting outputs: atomic moves, unchanged files left alone, safe names."""

from __future__ import annotations

import os

import pytest

from gen.make import outputs
from gen.make.outputs import promote, staging_dir, write_text

FILES = ["ls.tex", "ls.body.tex", "ls.json", "ls.pdf"]


@pytest.fixture()
def staged(tmp_path):
    """A staging folder holding the four outputs of spec ``ls``."""
    folder = tmp_path / "staging"
    folder.mkdir()
    for name in FILES:
        write_text(folder / name, f"content of {name}\n")
    return folder


def _age(path, seconds=1000):
    """Set ``path``'s mtime into the past and return it."""
    old = path.stat().st_mtime_ns - seconds * 10**9
    os.utime(path, ns=(old, old))
    return old


def test_promote_writes_every_file_and_creates_the_folder(staged, tmp_path):
    out = tmp_path / "out" / "nested"
    assert promote(staged, out, "ls", FILES) == FILES
    for name in FILES:
        assert (out / name).read_text() == f"content of {name}\n"
    assert sorted(p.name for p in out.iterdir()) == sorted(FILES)


def test_promote_skips_unchanged_bytes_and_keeps_their_mtime(staged, tmp_path):
    out = tmp_path / "out"
    promote(staged, out, "ls", FILES)
    mtimes = {name: _age(out / name) for name in FILES}
    write_text(staged / "ls.json", "new json\n")
    assert promote(staged, out, "ls", FILES) == ["ls.json"]
    assert (out / "ls.json").read_text() == "new json\n"
    assert (out / "ls.json").stat().st_mtime_ns != mtimes["ls.json"]
    for name in FILES[:2] + FILES[3:]:
        assert (out / name).stat().st_mtime_ns == mtimes[name]
    assert promote(staged, out, "ls", FILES) == []


def test_promote_rewrites_a_file_of_equal_size_but_other_bytes(staged, tmp_path):
    out = tmp_path / "out"
    promote(staged, out, "ls", ["ls.tex"])
    (out / "ls.tex").write_text("CONTENT of ls.tex\n")
    assert promote(staged, out, "ls", ["ls.tex"]) == ["ls.tex"]
    assert (out / "ls.tex").read_text() == "content of ls.tex\n"


def test_promote_moves_a_temporary_file_from_the_output_folder(staged, tmp_path, monkeypatch):
    out = tmp_path / "out"
    out.mkdir()
    (out / "ls.tex").write_text("old\n")
    moves = []
    real_replace = os.replace

    def spy(src, dst):
        src, dst = os.fspath(src), os.fspath(dst)
        with open(src) as handle:
            assert handle.read() == "content of ls.tex\n"
        moves.append((src, dst))
        real_replace(src, dst)

    monkeypatch.setattr(outputs.os, "replace", spy)
    promote(staged, out, "ls", ["ls.tex"])
    [(src, dst)] = moves
    assert os.path.dirname(src) == str(out) and dst == str(out / "ls.tex")
    assert os.path.basename(src).startswith(".ls.tex.")
    assert (staged / "ls.tex").exists()


def test_a_failed_move_leaves_the_old_file_and_no_temporary(staged, tmp_path, monkeypatch):
    out = tmp_path / "out"
    out.mkdir()
    (out / "ls.tex").write_text("old\n")

    def broken(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(outputs.os, "replace", broken)
    with pytest.raises(OSError, match="disk full"):
        promote(staged, out, "ls", ["ls.tex"])
    assert [p.name for p in out.iterdir()] == ["ls.tex"]
    assert (out / "ls.tex").read_text() == "old\n"


def test_promoted_files_are_readable_by_others(staged, tmp_path):
    out = tmp_path / "out"
    old = os.umask(0o022)
    try:
        promote(staged, out, "ls", ["ls.pdf"])
    finally:
        os.umask(old)
    assert (out / "ls.pdf").stat().st_mode & 0o777 == 0o644


@pytest.mark.parametrize(
    ("name", "files"),
    [
        ("ls", ["../ls.tex"]),
        ("ls", ["sub/ls.tex"]),
        ("ls", ["ls.tex/"]),
        ("ls", ["ls\\..\\x.tex"]),
        ("ls", [".."]),
        ("ls", [""]),
        ("ls", ["ls..tex"]),
        ("ls", ["other.tex"]),
        ("ls", ["ls.tex", "lsx.tex"]),
        ("../ls", ["../ls.tex"]),
        ("a/ls", ["ls.tex"]),
        ("..", ["...tex"]),
        ("", [".tex"]),
    ],
)
def test_promote_refuses_bad_names_and_writes_nothing(staged, tmp_path, name, files):
    out = tmp_path / "out"
    with pytest.raises(ValueError):
        promote(staged, out, name, files)
    assert not out.exists()


def test_promote_of_a_missing_file_writes_nothing(staged, tmp_path):
    out = tmp_path / "out"
    with pytest.raises(FileNotFoundError):
        promote(staged, out, "ls", ["ls.tex", "ls.missing"])
    assert not out.exists()


def test_staging_dir_is_private_and_removed():
    with staging_dir() as folder:
        assert folder.is_dir() and list(folder.iterdir()) == []
        assert folder.stat().st_mode & 0o077 == 0
        write_text(folder / "x.tex", "x")
    assert not folder.exists()


def test_write_text_writes_utf8_with_unix_line_ends(tmp_path):
    write_text(tmp_path / "a.tex", "最小二乘\nline\n")
    assert (tmp_path / "a.tex").read_bytes() == "最小二乘\nline\n".encode()
