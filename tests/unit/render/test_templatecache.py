"""The cache of compiled templates: used when sound, never trusted when not (a recompile)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from gen.render import templatecache
from gen.render.sheet import sandbox
from gen.render.templatecache import TemplateCache, cache_folder, template_cache


@pytest.fixture
def cache_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("GRADSHEET_TEMPLATE_CACHE", "1")
    return tmp_path / "xdg" / "gradsheet" / "templates"


def _folder(tmp_path: Path, text: str = "<%= x %>!\n") -> Path:
    folder = tmp_path / "tpl"
    folder.mkdir(exist_ok=True)
    (folder / "t.j2").write_text(text, encoding="utf-8")
    return folder


def _render(folder: Path, compiled: list[bool]) -> str:
    """Render t.j2 in a fresh sandbox; record whether its code came from the cache."""
    env = sandbox(str(folder))
    cache = env.bytecode_cache
    assert isinstance(cache, TemplateCache)
    original = cache.load_bytecode

    def load(bucket):
        original(bucket)
        compiled.append(bucket.code is None)

    cache.load_bytecode = load  # type: ignore[method-assign]
    return env.get_template("t.j2").render(x=1)


def _entries(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.bin"))


def test_a_compiled_template_is_kept_and_used_by_the_next_process(cache_home, tmp_path):
    folder = _folder(tmp_path)
    fresh: list[bool] = []
    assert _render(folder, fresh) == "1!\n"
    assert _render(folder, fresh) == "1!\n"
    assert fresh == [True, False]
    (entry,) = _entries(cache_home)
    assert entry.stat().st_mode & 0o777 == 0o600
    assert cache_home.stat().st_mode & 0o777 == 0o700


def test_a_changed_template_is_compiled_again(cache_home, tmp_path):
    folder = _folder(tmp_path)
    fresh: list[bool] = []
    _render(folder, fresh)
    _folder(tmp_path, "<%= x %>?\n")
    assert _render(folder, fresh) == "1?\n"
    assert fresh == [True, True]


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: b"",
        lambda data: b"garbage" * 100,
        lambda data: data[: len(data) // 2],  # cut in the middle of the code
        lambda data: data[:-1],
        lambda data: data.replace(templatecache.VERSION, b"gradsheet-templates-0"),
        lambda data: data[:200] + b"\xff" * 50 + data[250:],
        lambda data: data[:-8] + b"\x00" * 8,  # code that would crash Python if run
    ],
    ids=["empty", "garbage", "half", "one-byte-short", "old-version", "scribbled", "zeroed-tail"],
)
def test_a_damaged_entry_means_a_recompile_never_a_crash(cache_home, tmp_path, damage):
    folder = _folder(tmp_path)
    fresh: list[bool] = []
    _render(folder, fresh)
    (entry,) = _entries(cache_home)
    entry.write_bytes(damage(entry.read_bytes()))
    assert _render(folder, fresh) == "1!\n"
    assert fresh[1] is True
    assert _render(folder, fresh) == "1!\n"  # rewritten whole by the recompile
    assert fresh[2] is False


def test_an_entry_of_other_code_is_not_loaded(cache_home, tmp_path):
    """An entry whose code is not a code object (a marshalled number) is no code."""
    import marshal

    folder = _folder(tmp_path)
    fresh: list[bool] = []
    _render(folder, fresh)
    (entry,) = _entries(cache_home)
    head = entry.read_bytes()[: len(templatecache._MAGIC) + 64]
    number = marshal.dumps(42)
    entry.write_bytes(head + templatecache._sha256(number).encode() + number)
    assert _render(folder, fresh) == "1!\n"
    assert fresh[1] is True


def test_a_link_a_fifo_or_a_writable_entry_is_not_read(cache_home, tmp_path):
    folder = _folder(tmp_path)
    fresh: list[bool] = []
    _render(folder, fresh)
    (entry,) = _entries(cache_home)
    data = entry.read_bytes()
    elsewhere = tmp_path / "elsewhere.bin"
    elsewhere.write_bytes(data)
    entry.unlink()
    entry.symlink_to(elsewhere)
    assert _render(folder, fresh) == "1!\n"
    entry.unlink()
    os.mkfifo(entry)
    assert _render(folder, fresh) == "1!\n"  # never blocks on the FIFO
    entry.unlink()
    entry.write_bytes(data)
    entry.chmod(0o666)
    assert _render(folder, fresh) == "1!\n"
    assert fresh == [True, True, True, True]
    assert not elsewhere.is_symlink() and elsewhere.read_bytes() == data


def test_a_linked_or_shared_cache_folder_is_no_cache(cache_home, tmp_path):
    target = tmp_path / "target"
    target.mkdir()
    cache_home.parent.mkdir(parents=True)
    cache_home.symlink_to(target)
    assert cache_folder() is None
    cache_home.unlink()
    cache_home.mkdir(mode=0o700)
    cache_home.chmod(0o777)
    assert cache_folder() is None
    cache_home.chmod(0o700)
    assert cache_folder() == cache_home


def test_no_usable_folder_means_no_cache_and_the_same_output(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    assert template_cache() is None
    assert sandbox(str(_folder(tmp_path))).get_template("t.j2").render(x=2) == "2!\n"


def test_the_cache_is_off_unless_asked_for(cache_home, tmp_path, monkeypatch):
    """By default a build writes nothing outside its output folder."""
    for value in ("0", "", "yes"):
        monkeypatch.setenv("GRADSHEET_TEMPLATE_CACHE", value)
        assert template_cache() is None
    monkeypatch.delenv("GRADSHEET_TEMPLATE_CACHE")
    assert template_cache() is None
    assert sandbox(str(_folder(tmp_path))).get_template("t.j2").render(x=2) == "2!\n"
    assert not cache_home.exists()


def test_the_key_holds_the_environment_configuration(cache_home, tmp_path):
    """The same file compiled by differently configured sandboxes: an entry each."""
    folder = _folder(tmp_path)
    plain = sandbox(str(folder))
    escaping = sandbox(str(folder), autoescape=True)
    plain.get_template("t.j2")
    escaping.get_template("t.j2")
    assert len(_entries(cache_home)) == 2
    with_filter = sandbox(str(folder))
    with_filter.filters["extra"] = str
    with_filter.get_template("t.j2")
    assert len(_entries(cache_home)) == 3


def test_a_cached_template_is_still_sandboxed(cache_home, tmp_path):
    from jinja2.sandbox import SecurityError

    folder = _folder(tmp_path, "<%= x.__class__.__mro__ %>\n")
    for _ in range(2):
        env = sandbox(str(folder))
        with pytest.raises(SecurityError):
            env.get_template("t.j2").render(x=1)
    assert len(_entries(cache_home)) == 1
