"""Templates from a folder of someone else's run in Jinja's sandbox: no Python reaches out."""

import os
import time
from pathlib import Path

import jinja2
import pytest

from gen.errors import GenError
from gen.render import templatefiles
from gen.render.messages import MESSAGES
from gen.render.sheet import environment, render_tex


def test_a_template_cannot_reach_python_internals(tmp_path: Path):
    (tmp_path / "sheet.tex.j2").write_text("<%= ''.__class__.__mro__[1].__subclasses__() %>")
    env = environment(tmp_path)
    with pytest.raises(jinja2.exceptions.SecurityError):
        env.get_template("sheet.tex.j2").render()


def _render(folder: Path, sheet: str, context: dict | None = None, **kwargs) -> tuple[str, str]:
    """Render a two-template folder (``sheet`` and a plain body) through ``render_tex``."""
    (folder / "sheet.tex.j2").write_text(sheet)
    (folder / "body.tex.j2").write_text("body")
    return render_tex(context or {}, folder, **kwargs)


@pytest.mark.parametrize("sheet", [
    '<%= "x" * 10**10 %>',
    '<%= [1] * 10**10 %>',
    '<%= ((10**1000)**1000)**1000 %>',
    '<% set ns = namespace(s="ab") %><% for i in range(60) %><% set ns.s = ns.s ~ ns.s %>'
    '<% endfor %>',
    '<%= "a" | center(10**10) %>',
    '<%= "a" | indent(10**10) %>',
    '<%= "%099999999d" % 1 %>',
])
def test_a_template_cannot_build_a_huge_value(tmp_path: Path, sheet: str):
    start = time.monotonic()
    with pytest.raises(jinja2.exceptions.SecurityError):
        _render(tmp_path, sheet)
    assert time.monotonic() - start < 5


def test_a_template_that_writes_too_much_is_stopped(tmp_path: Path):
    sheet = "<% for i in range(100000) %>0123456789<% endfor %>"
    with pytest.raises(GenError, match="the templates wrote more than 1000 characters"):
        _render(tmp_path, sheet, limit=1000)
    assert len(_render(tmp_path, sheet)[0]) == 10**6  # the default limit is far above a sheet


@pytest.mark.parametrize("sheet", [
    '<% set _ = msg.update({"notation": "forged"}) %>',
    '<% set _ = msg.__setitem__("notation", "forged") %>',
    '<% set _ = items.append("forged") %>',
    '<% set _ = items.pop() %>',
])
def test_a_template_cannot_change_what_it_is_given(tmp_path: Path, sheet: str):
    msg = MESSAGES["en"]
    items = ["kept"]
    with pytest.raises(jinja2.exceptions.TemplateRuntimeError):
        _render(tmp_path, sheet, {"msg": msg, "items": items})
    assert MESSAGES["en"]["notation"] == "Notation" and items == ["kept"]


def test_the_message_catalogue_is_read_only():
    with pytest.raises(TypeError):
        MESSAGES["en"]["notation"] = "forged"  # type: ignore[index]
    with pytest.raises(TypeError):
        MESSAGES["xx"] = {}  # type: ignore[index]


def test_a_template_reads_no_file_outside_its_folder(tmp_path: Path):
    folder = tmp_path / "tpl"
    folder.mkdir()
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET")
    (folder / "leak.j2").symlink_to(secret)
    (folder / "other.j2").symlink_to(tmp_path / "secret.txt")
    for sheet in ('<% include "leak.j2" %>', '<% include "../secret.txt" %>',
                  '<% include "/etc/passwd" %>', '<% include "secret.txt" %>'):
        with pytest.raises(jinja2.exceptions.TemplateError) as info:
            _render(folder, sheet)
        assert "SECRET" not in str(info.value)


def test_a_link_inside_the_folder_is_followed(tmp_path: Path):
    (tmp_path / "part.tex.j2").write_text("PART")
    (tmp_path / "alias.tex.j2").symlink_to(tmp_path / "part.tex.j2")
    assert _render(tmp_path, '<% include "alias.tex.j2" %>')[0] == "PART"


def test_a_fifo_or_a_huge_file_is_no_template(tmp_path: Path, monkeypatch):
    os.mkfifo(tmp_path / "pipe.j2")
    with pytest.raises(jinja2.exceptions.TemplateError, match="not a regular file"):
        _render(tmp_path, '<% include "pipe.j2" %>')
    monkeypatch.setattr(templatefiles, "MAX_TEMPLATE_BYTES", 10)
    (tmp_path / "big.j2").write_text("x" * 11)
    with pytest.raises(jinja2.exceptions.TemplateError, match="larger than"):
        _render(tmp_path, '<% include "big.j2" %>')
    assert [p.name for p in templatefiles.template_files(tmp_path)] == [
        "big.j2", "body.tex.j2", "sheet.tex.j2"]
