"""The build cache: keys over a spec's inputs, template hashes, manifests and freshness."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from gen.make import cache
from gen.make.cache import Manifest


def _manifest(tmp_path: Path, key: str = "k", pdf: bool = True) -> tuple[Path, Manifest]:
    out = tmp_path / "out"
    out.mkdir(parents=True)
    templates = tmp_path / "tpl"
    templates.mkdir()
    (templates / "sheet.tex.j2").write_text("sheet")
    for file in ("a.tex", "a.json"):
        (out / file).write_text(file)
    manifest = Manifest(key, str(templates.resolve()), cache.folder_hash(templates), pdf,
                        cache.stamp(out, ["a.tex", "a.json"]))
    cache.write_manifest(out, "a", manifest)
    return out, manifest


def test_a_manifest_round_trips(tmp_path):
    out, manifest = _manifest(tmp_path)
    assert cache.read_manifest(out, "a") == manifest
    assert (out / ".gradsheet" / "cache" / "a.json").is_file()
    assert [p.name for p in (out / ".gradsheet" / "cache").iterdir()] == ["a.json"]


def test_current_when_nothing_changed(tmp_path):
    out, manifest = _manifest(tmp_path)
    assert cache.current(out, "a", "k", pdf=True) == manifest


def test_not_current_for_another_key_or_a_missing_pdf(tmp_path):
    out, _ = _manifest(tmp_path, pdf=False)
    assert cache.current(out, "a", "other", pdf=False) is None
    assert cache.current(out, "a", "k", pdf=True) is None
    assert cache.current(out, "a", "k", pdf=False) is not None


def test_not_current_when_an_output_changed_or_went(tmp_path):
    out, _ = _manifest(tmp_path)
    (out / "a.json").write_text("a.json, edited")
    assert cache.current(out, "a", "k", pdf=True) is None
    out2, _ = _manifest(tmp_path / "two")
    (out2 / "a.tex").unlink()
    assert cache.current(out2, "a", "k", pdf=True) is None


def test_not_current_when_an_output_was_touched(tmp_path):
    out, _ = _manifest(tmp_path)
    st = (out / "a.tex").stat()
    os.utime(out / "a.tex", ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    assert cache.current(out, "a", "k", pdf=True) is None


def test_not_current_when_a_template_changed_or_was_added(tmp_path):
    out, manifest = _manifest(tmp_path)
    templates = Path(manifest.templates)
    (templates / "sheet.tex.j2").write_text("sheet, edited")
    assert cache.current(out, "a", "k", pdf=True) is None
    out2, manifest2 = _manifest(tmp_path / "two")
    (Path(manifest2.templates) / "extra.tex.j2").write_text("new")
    assert cache.current(out2, "a", "k", pdf=True) is None


def test_an_unreadable_or_old_manifest_is_no_manifest(tmp_path):
    out, _ = _manifest(tmp_path)
    path = out / ".gradsheet" / "cache" / "a.json"
    for text in ("{", "[]", '{"format": 0}', '{"format": 1}', "null"):
        path.write_text(text)
        assert cache.read_manifest(out, "a") is None
        assert cache.current(out, "a", "k", pdf=True) is None
    cache.forget(out, "a")
    assert not path.exists()


def test_the_key_follows_the_bytes_the_place_and_the_templates_option(tmp_path):
    spec = tmp_path / "s.yaml"
    spec.write_text("title: T\n")
    key = cache.input_key(spec, b"title: T\n", None)
    assert key == cache.input_key(spec, b"title: T\n", None)
    assert key != cache.input_key(spec, b"title: U\n", None)
    assert key != cache.input_key(tmp_path / "t.yaml", b"title: T\n", None)
    assert key != cache.input_key(spec, b"title: T\n", tmp_path)


def test_the_key_follows_gradsheets_own_code(monkeypatch, tmp_path):
    spec = tmp_path / "s.yaml"
    key = cache.input_key(spec, b"x", None)
    monkeypatch.setattr(cache, "code_hash", lambda: "another version")
    assert cache.input_key(spec, b"x", None) != key


def test_code_hash_names_the_version():
    import gen

    assert cache.code_hash().startswith(gen.__version__ + ":")


def test_folder_hash_skips_hidden_files_and_the_output_folder(tmp_path):
    folder = tmp_path / "tpl"
    folder.mkdir()
    (folder / "sheet.tex.j2").write_text("x")
    before = cache.folder_hash(folder, folder / "out")
    (folder / ".swp").write_text("editor state")
    (folder / ".git").mkdir()
    (folder / ".git" / "HEAD").write_text("ref")
    (folder / "out").mkdir()
    (folder / "out" / "a.pdf").write_text("output")
    assert cache.folder_hash(folder, folder / "out") == before
    (folder / "sub").mkdir()
    (folder / "sub" / "part.tex.j2").write_text("y")
    assert cache.folder_hash(folder, folder / "out") != before


def test_folder_hash_refuses_a_huge_folder(tmp_path, monkeypatch):
    from gen.render import templatefiles

    monkeypatch.setattr(templatefiles, "MAX_TEMPLATE_FILES", 3)
    for i in range(5):
        (tmp_path / f"f{i}.j2").write_text("x")
    with pytest.raises(cache.CacheError, match="more than 3 template files"):
        cache.folder_hash(tmp_path)


def test_a_symlinked_cache_folder_is_refused(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (out / ".gradsheet").symlink_to(elsewhere)
    with pytest.raises(cache.CacheError, match="not a plain folder"):
        cache.cache_dir(out, "cache")
    assert list(elsewhere.iterdir()) == []


def test_a_manifest_naming_a_folder_the_spec_may_not_use_is_no_manifest(tmp_path):
    out, manifest = _manifest(tmp_path / "project" / "build")
    spec = tmp_path / "project" / "build" / "specs" / "a.yaml"
    assert cache.read_manifest(out, "a", spec=spec) == manifest  # tpl lies inside the project
    outside = tmp_path / "elsewhere" / "specs" / "a.yaml"
    assert cache.read_manifest(out, "a", spec=outside) is None
    assert cache.current(out, "a", "k", pdf=True, spec=outside) is None
    assert cache.read_manifest(out, "a", spec=outside,
                               allowed=[Path(manifest.templates)]) == manifest
