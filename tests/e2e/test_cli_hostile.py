"""Hostile input through the command line: a located error, exit 1, no traceback, no harm."""

from __future__ import annotations

import errno
import json
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from gen.cli.main import main
from gen.make import cache
from gen.make import outputs as outputs_module
from gen.render import sheet, templatefiles
from tests.e2e.cli_helpers import outputs, small, tree

SPEC = "title: T\nvariables:\n  x: {{shape: [n]}}\n  s: {{}}\ndefine:\n  J: {expr}\n" \
       "derive:\n  - of: J\n    wrt: {wrt}\n"


def expr(text: str, wrt: str = "x") -> bytes:
    return SPEC.format(expr=text, wrt=wrt).encode()


def doubling(levels: int) -> bytes:
    rows = ["title: T", "variables:", "  x: {shape: [n]}", "  s: {}", "define:", "  a0: x'*x"]
    rows += [f"  a{i}: a{i - 1}*a{i - 1} + s" for i in range(1, levels)]
    rows += ["derive:", f"  - of: a{levels - 1}", "    wrt: x"]
    return ("\n".join(rows) + "\n").encode()


CASES = {
    # YAML
    "duplicate key": (b"title: A\ntitle: B\n", "2:1", "duplicate key 'title' (first at line 1)"),
    "non-string key": (b"title: A\n? [a]\n: 1\n", "2:3", "keys must be strings, not a list"),
    "alias bomb": (b"title: &a [x, x]\nb: [*a, *a]\n", "1:8", "anchors and aliases are not "
                   "allowed"),
    "custom tag": (b"title: !!python/object/apply:os.system [ls]\n", "1:8",
                   "custom tag '!!python/object/apply:os.system' is not allowed"),
    "YAML 1.1 NO": (b"title: T\nlang: NO\n", "2:7", "'lang' must be 'en' or 'zh', not 'NO'"),
    "YAML 1.1 octal": (b"title: T\nvariables:\n  x: {shape: [0755]}\n", "3:15",
                       "bad shape entry '0755'"),
    "two documents": (b"title: A\n---\ntitle: B\n", "2:1", "a spec file holds one YAML "
                      "document, but a second one starts here"),
    "empty file": (b"", "", "empty spec file"),
    "not UTF-8": (b"title: caf\xe9\n", "1:11", "spec file is not valid UTF-8 (byte 0xe9)"),
    "control character": (b"title: a\x1b[2Jb\n", "1:9", "invalid character U+001B in spec "
                          "file"),
    "bidi override": ('title: "a\u202eb"\n'.encode(), "1:10", "bidirectional control "
                      "character U+202E (RIGHT-TO-LEFT OVERRIDE) is not allowed"),
    "lone surrogate": (b'title: "a\\ud800b"\n', "1:9", "this value holds U+D800 (a lone "
                       "surrogate), written as an escape: it is not a character"),
    "surrogate key": (b'title: T\n"k\\udfff": 1\n', "2:2", "this value holds U+DFFF (a lone "
                      "surrogate)"),
    "noncharacter": (b'title: "\\U0010FFFF"\n', "1:9", "this value holds U+10FFFF (a "
                     "noncharacter)"),
    "huge file": (b"title: T\n# " + b"x" * (1024 * 1024) + b"\n", "", "spec file is larger "
                  "than 1 MB"),
    "deep nesting": (b"title: T\nx: " + b"[" * 60 + b"]" * 60 + b"\n", "2:23", "spec is nested "
                     "deeper than 20 levels"),
    "huge number": (b"title: T\nvariables:\n  x: {shape: [99999999999999999999]}\n", "3:15",
                    "bad shape entry '99999999999999999999'"),
    # expressions
    "unknown name": (expr("x'*q"), "6:9", "in 'x'*q': unknown name 'q'"),
    "python code": (expr("__import__('os').system('ls')"), "6:6", "unexpected character '_'"),
    "python operator": (expr("x.T @ x"), "6:7", "unexpected character '.'"),
    "huge exponent": (expr("s^100000"), "6:8", "exponent 100000 is too large"),
    "power tower": (expr("s^2^2^2^2^2"), "6:10", "exponent 65536 is too large"),
    "huge literal": (expr("s*1" + "0" * 40), "6:8", "number is too long (more than 30 digits)"),
    "constant overflow": (expr("s*(10^1000)"), "6:9", "number is too large (at most 10^100 "
                          "in absolute value)"),
    "huge constant product": (expr("s^1000/3^1000"), "6:13", "number is too large"),
    "division by zero": (expr("s/0"), "6:6", "division by zero"),
    "constant division by zero": (expr("s*(1/(1-1))"), "6:9", "division by zero"),
    "zero to a negative power": (expr("s*0^(-1)"), "6:8", "division by zero (0 to a negative "
                                 "power)"),
    "exponent notation": (expr("s*1e400"), "6:8", "exponent notation such as 1e-3 is not "
                          "supported"),
    "deep expression": (expr("(" * 150 + "s" + ")" * 150), "6:106", "expression is nested too "
                        "deeply"),
    "long expression": (expr("+".join(["s"] * 1500)), "6:6", "expression is too long (2999 "
                        "characters; at most 2000)"),
    "self reference": (expr("J + s"), "6:6", "in 'J + s': unknown name 'J'"),
    "not a variable": (expr("x'*x", wrt="q"), "9:10", "'wrt: q' is not a variable or a "
                       "definition"),
    "exponential growth": (doubling(30), "16:3", "'a10' grows to more than 5000 terms"),
    # LaTeX
    "latex macro": (b"title: T\nvariables:\n  x: {latex: '\\input{/etc/passwd}'}\n", "3:15",
                    "macro '\\input' is not allowed in 'latex'"),
    "latex char codes": (b"title: T\nvariables:\n  x: {latex: 'x^^5cinput'}\n", "3:16",
                         "'^^' is not allowed in 'latex'"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_hostile_spec(case, tmp_path, capsys):
    data, where, message = CASES[case]
    spec = tmp_path / "specs" / "h.yaml"
    spec.parent.mkdir()
    spec.write_bytes(data)
    before = tree(tmp_path)
    out = tmp_path / "out"
    assert main(["build", str(spec), "-o", str(out), "--dry-run", "--timeout", "60"]) == 1
    err = capsys.readouterr().err
    first = err.splitlines()[0]
    head = f"{spec}:{where}: error: " if where else f"{spec}: error: "
    assert first.startswith(head + message), err
    if where:
        assert err.splitlines()[2].lstrip().startswith("| ") and "^" in err.splitlines()[2]
    assert "Traceback" not in err
    after = tree(tmp_path)
    assert {k: v for k, v in after.items() if not k.startswith("out")} == before
    assert not out.exists() or outputs(out) == {}


INJECTION = r"\input{/etc/passwd}\write18{touch pwned}$x$^^5c%#&~_{}"


def test_text_fields_are_inert_in_the_tex(tmp_path):
    spec = tmp_path / "inj.yaml"
    spec.write_text(
        f"title: '{INJECTION}'\nsubtitle: '{INJECTION}'\nauthor: '{INJECTION}'\n"
        f"dims:\n  n: '{INJECTION}'\nvariables:\n  x: {{shape: [n], text: '{INJECTION}'}}\n"
        f"define:\n  J: x'*x\nderive:\n  - of: J\n    wrt: x\n    text: '{INJECTION}'\n")
    out = tmp_path / "out"
    assert main(["build", str(spec), "-o", str(out), "--dry-run"]) == 0
    for name in ("inj.tex", "inj.body.tex"):
        tex = (out / name).read_text()
        assert "\\input{" not in tex and "\\write18" not in tex and "^^5c" not in tex
        escaped = r"\textbackslash{}input\{/etc/passwd\}\textbackslash{}write18\{touch pwned\}"
        assert tex.count(escaped) >= (6 if name == "inj.tex" else 3)


def test_text_fields_are_inert_in_the_pdf_too(tmp_path, tex):
    spec = tmp_path / "inj.yaml"
    spec.write_text(f"title: '{INJECTION}'\nvariables:\n  x: {{shape: [n], text: '{INJECTION}'}}"
                    "\ndefine:\n  J: x'*x\nderive:\n  - of: J\n    wrt: x\n")
    out = tmp_path / "out"
    assert main(["build", str(spec), "-o", str(out)]) == 0
    assert not list(tmp_path.rglob("pwned"))


@pytest.mark.parametrize("name", ["my spec (v2)", "ünïcödé", "a$b#c%d&e", "it's", "-x", "a.b"])
def test_odd_but_fine_spec_names_build(name, tmp_path):
    spec = small(tmp_path / "specs", name)
    out = tmp_path / "out"
    assert main(["build", str(spec), "-o", str(out), "--dry-run"]) == 0
    assert sorted(outputs(out)) == sorted(f"{name}.{ext}" for ext in ("tex", "body.tex", "json"))


@pytest.mark.parametrize(("name", "why"), [
    ("a\nb", "it holds the character U+000A"),
    ("a\x1b[31mb", "it holds the character U+001B"),
    ("a\\b", "it holds the character U+005C"),
    (".", "it is empty or starts with '.'"),
])
def test_spec_names_that_cannot_name_outputs_are_refused(name, why, tmp_path, capsys):
    folder = tmp_path / "specs"
    folder.mkdir()
    spec = folder / f"{name}.yaml"
    spec.write_text("title: T\n")
    out = tmp_path / "out"
    assert main(["build", str(spec), "-o", str(out), "--dry-run"]) == 1
    err = capsys.readouterr().err
    assert "error: cannot name outputs after '" in err and why in err
    assert "\x1b" not in err
    assert not out.exists() or outputs(out) == {}


def test_two_specs_with_one_output_name(tmp_path, capsys):
    first = small(tmp_path / "a", "ls")
    second = small(tmp_path / "b", "ls", "Other")
    out = tmp_path / "out"
    assert main(["build", str(first), str(second), "-o", str(out), "--dry-run"]) == 1
    err = capsys.readouterr().err
    assert f"{second}: error: cannot name outputs after 'ls': {first} has the same output " \
           "name; rename the spec file" in err
    assert b"Least squares" in outputs(out)["ls.tex"]


def test_an_output_folder_inside_the_spec_folder(tmp_path, capsys):
    specs = tmp_path / "specs"
    small(specs)
    out = specs / "output"
    for _ in range(2):
        assert main(["build", str(specs), "-o", str(out), "--dry-run"]) == 0
    assert sorted(outputs(out)) == ["ls.body.tex", "ls.json", "ls.tex"]
    assert main(["build", str(specs), "-o", str(specs), "--dry-run"]) == 0  # beside the specs
    assert (specs / "ls.json").is_file() and (specs / "ls.yaml").is_file()


def test_a_symlink_in_the_output_folder_is_replaced_not_followed(tmp_path):
    spec = small(tmp_path / "specs")
    out = tmp_path / "out"
    out.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    os.symlink(victim, out / "ls.json")
    assert main(["build", str(spec), "-o", str(out), "--dry-run"]) == 0
    assert victim.read_text() == "precious"
    assert not (out / "ls.json").is_symlink() and b'"spec": "ls"' in outputs(out)["ls.json"]


def test_a_symlinked_cache_folder_is_refused(tmp_path, capsys):
    spec = small(tmp_path / "specs")
    out = tmp_path / "out"
    out.mkdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    os.symlink(elsewhere, out / ".gradsheet")
    assert main(["build", str(spec), "-o", str(out), "--dry-run"]) == 2
    assert list(elsewhere.iterdir()) == []
    assert capsys.readouterr().err == (f"gradsheet: {out / '.gradsheet'} is not a plain folder "
                                       "(a link, or a file); remove it\n")


def test_a_folder_name_with_a_control_character_is_refused_and_never_printed(tmp_path, capsys):
    spec = small(tmp_path / "we\nird\x1b[2J", "ls")
    assert main(["build", str(spec), "-o", str(tmp_path / "out"), "--dry-run"]) == 1
    err = capsys.readouterr().err
    assert "error: cannot build this spec: its path holds the character U+000A; rename its " \
           "folder" in err
    assert "\x1b" not in err and "we\nird" not in err
    assert main(["check", str(spec)]) == 1
    err = capsys.readouterr().err
    assert "error: cannot check this spec: its path holds the character U+000A; rename it" in err
    assert "\x1b" not in err and "we\nird" not in err


def test_the_good_spec_beside_a_lone_surrogate_still_builds(tmp_path, capsys):
    folder = tmp_path / "specs"
    small(folder, "good")
    (folder / "bad.yaml").write_bytes(b'title: "a\\ud800b"\n')
    out = tmp_path / "out"
    assert main(["build", str(folder), "-o", str(out), "--dry-run"]) == 1
    err = capsys.readouterr().err
    assert "U+D800 (a lone surrogate)" in err and "internal error" not in err
    assert sorted(outputs(out)) == ["good.body.tex", "good.json", "good.tex"]


# -- templates ---------------------------------------------------------------------------


def _with_template(spec: Path, value: str) -> None:
    spec.write_text(f"template: '{value}'\n" + spec.read_text())


@pytest.mark.parametrize("value", ["/dev", "/etc", "../..", "../../..", "/"])
def test_a_template_key_outside_the_project_is_refused_at_the_key(value, tmp_path, capsys):
    project = tmp_path / "deep" / "project"
    spec = small(project / "specs")
    _with_template(spec, value)
    out = tmp_path / "out"
    start = time.monotonic()
    assert main(["build", str(spec), "-o", str(out), "--dry-run"]) == 1
    assert time.monotonic() - start < 10
    err = capsys.readouterr().err
    assert err.startswith(f"{spec}:1:12: error: template folder ")
    assert f"is outside {project}, the folder that holds the spec's folder" in err
    assert outputs(out) == {}


def test_a_template_key_inside_the_project_is_fine(tmp_path):
    spec = small(tmp_path / "specs")
    mine = tmp_path / "templates" / "mine"
    mine.mkdir(parents=True)
    (mine / "derivation.tex.j2").write_text("% MINE\n")
    _with_template(spec, "../templates/mine")
    out = tmp_path / "out"
    assert main(["build", str(spec), "-o", str(out), "--dry-run"]) == 0
    assert b"% MINE" in outputs(out)["ls.tex"]


def test_a_template_folder_link_out_of_the_project_is_refused(tmp_path, capsys):
    spec = small(tmp_path / "project" / "specs")
    (tmp_path / "project" / "tpl").symlink_to("/etc")
    _with_template(spec, "../tpl")
    assert main(["build", str(spec), "-o", str(tmp_path / "out"), "--dry-run"]) == 1
    assert "is outside" in capsys.readouterr().err


def test_a_template_link_to_a_secret_is_not_followed(tmp_path, capsys):
    spec = small(tmp_path / "specs")
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET-PASSWORD")
    tpl = tmp_path / "tpl"
    tpl.mkdir()
    (tpl / "secret.tex.j2").symlink_to(secret)
    (tpl / "derivation.tex.j2").write_text('<% include "secret.tex.j2" %>\n')
    _with_template(spec, "../tpl")
    out = tmp_path / "out"
    assert main(["build", str(spec), "-o", str(out), "--dry-run"]) == 1
    err = capsys.readouterr().err
    assert "template 'secret.tex.j2' is a symbolic link out of" in err
    assert "SECRET" not in err and outputs(out) == {}
    assert not any(b"SECRET" in (p.read_bytes() if p.is_file() else b"")
                   for p in out.rglob("*"))


def test_a_fifo_and_junk_in_a_template_folder_block_nothing(tmp_path):
    spec = small(tmp_path / "specs")
    tpl = tmp_path / "tpl"
    tpl.mkdir()
    os.mkfifo(tpl / "fifo.tex.j2")
    os.mkfifo(tpl / "notes.txt")
    (tpl / "big.bin").write_bytes(b"\0" * 100_000)
    _with_template(spec, "../tpl")
    out = tmp_path / "out"
    for _ in range(2):  # the second build reads the cache, and hashes the folder again
        assert main(["build", str(spec), "-o", str(out), "--dry-run"]) == 0
    assert sorted(outputs(out)) == ["ls.body.tex", "ls.json", "ls.tex"]


def test_a_spec_whose_template_folder_is_too_large_fails_and_writes_nothing(tmp_path,
                                                                            monkeypatch):
    monkeypatch.setattr(templatefiles, "MAX_TEMPLATE_FILES", 3)
    spec = small(tmp_path / "specs")
    tpl = tmp_path / "tpl"
    tpl.mkdir()
    for i in range(5):
        (tpl / f"t{i}.tex.j2").write_text("x")
    _with_template(spec, "../tpl")
    out = tmp_path / "out"
    assert main(["build", str(spec), "-o", str(out), "--dry-run"]) == 1
    assert outputs(out) == {}


def test_a_template_cannot_forge_the_words_of_the_next_sheet(tmp_path, capsys):
    specs = tmp_path / "specs"
    evil = small(specs, "a_evil")
    small(specs, "b_good")
    tpl = tmp_path / "tpl"
    tpl.mkdir()
    (tpl / "derivation.tex.j2").write_text(
        '<% set _ = msg.update({"notation": "FORGED"}) %>'
        '<% set _ = math_characters.append("FORGED") %>\n')
    _with_template(evil, "../tpl")
    out = tmp_path / "out"
    assert main(["build", str(specs), "-o", str(out), "--dry-run"]) == 1
    assert "a_evil.yaml" in capsys.readouterr().err
    assert b"FORGED" not in outputs(out)["b_good.tex"]
    assert b"Notation" in outputs(out)["b_good.tex"] and "a_evil.tex" not in outputs(out)


def test_a_template_that_writes_too_much_fails_quickly(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(sheet, "MAX_OUTPUT", 100_000)
    spec = small(tmp_path / "specs")
    tpl = tmp_path / "tpl"
    tpl.mkdir()
    (tpl / "derivation.tex.j2").write_text(
        "<% for i in range(100000) %><% for j in range(100000) %>x<% endfor %><% endfor %>\n")
    _with_template(spec, "../tpl")
    out = tmp_path / "out"
    assert main(["build", str(spec), "-o", str(out), "--dry-run"]) == 1
    assert "the templates wrote more than 100000 characters" in capsys.readouterr().err
    assert outputs(out) == {}


def test_a_template_that_never_ends_is_stopped_by_the_timeout(tmp_path, capsys):
    spec = small(tmp_path / "specs")
    tpl = tmp_path / "tpl"
    tpl.mkdir()
    (tpl / "derivation.tex.j2").write_text(
        "<% for i in range(100000) %><% for j in range(100000) %><% endfor %><% endfor %>\n")
    _with_template(spec, "../tpl")
    out = tmp_path / "out"
    start = time.monotonic()
    assert main(["build", str(spec), "-o", str(out), "--dry-run", "--timeout", "1"]) == 1
    assert time.monotonic() - start < 10
    assert "gave up rendering the templates of" in capsys.readouterr().err
    assert outputs(out) == {}


# -- the output folder ---------------------------------------------------------------------


@pytest.mark.parametrize("part", ["cache", "tmp", "logs"])
def test_a_link_inside_the_cache_folder_is_replaced_not_followed(part, tmp_path):
    spec = small(tmp_path / "specs")
    out = tmp_path / "out"
    (out / ".gradsheet").mkdir(parents=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (out / ".gradsheet" / part).symlink_to(elsewhere)
    assert main(["build", str(spec), "-o", str(out), "--dry-run"]) == 0
    cache.cache_dir(out, part)  # as a failed TeX run does for logs/
    assert list(elsewhere.iterdir()) == []
    assert not (out / ".gradsheet" / part).is_symlink()
    assert sorted(outputs(out)) == ["ls.body.tex", "ls.json", "ls.tex"]


def test_a_failed_tex_run_writes_its_log_through_no_link(tmp_path, tex):
    spec = small(tmp_path / "specs")
    spec.write_text(spec.read_text().replace("title: Least squares", "title: a ∫ b"))
    out = tmp_path / "out"
    logs = out / ".gradsheet" / "logs"
    logs.mkdir(parents=True)
    victims = {ext: tmp_path / f"victim.{ext}" for ext in ("tex", "log")}
    for ext, victim in victims.items():
        victim.write_text("precious")
        (logs / f"ls.{ext}").symlink_to(victim)
    if main(["build", str(spec), "-o", str(out)]) == 1:
        assert not (logs / "ls.log").is_symlink() and (logs / "ls.log").is_file()
    assert all(v.read_text() == "precious" for v in victims.values())


def _refuse_writes_below(monkeypatch, folder: Path, err: int) -> None:
    real_mkdir, real_mkdtemp = Path.mkdir, tempfile.mkdtemp

    def mkdir(self, *args, **kwargs):
        if str(self).startswith(str(folder)):
            raise OSError(err, os.strerror(err), str(self))
        return real_mkdir(self, *args, **kwargs)

    def mkdtemp(*args, **kwargs):
        if str(kwargs.get("dir", "")).startswith(str(folder)):
            raise OSError(err, os.strerror(err), str(kwargs["dir"]))
        return real_mkdtemp(*args, **kwargs)

    monkeypatch.setattr(Path, "mkdir", mkdir)
    monkeypatch.setattr(tempfile, "mkdtemp", mkdtemp)


@pytest.mark.parametrize("err", [errno.EROFS, errno.EACCES, errno.ENOSPC])
def test_an_output_folder_that_cannot_be_written_is_a_clear_error(err, tmp_path, monkeypatch,
                                                                   capsys):
    spec = small(tmp_path / "specs")
    out = tmp_path / "out"  # missing: making it fails, as on a read-only mount
    _refuse_writes_below(monkeypatch, out, err)
    assert main(["build", str(spec), "-o", str(out), "--dry-run"]) == 1
    text = capsys.readouterr().err
    assert f"{spec}: error: cannot write in the output folder {out}: {os.strerror(err)}" in text
    assert "internal error" not in text and not out.exists()


def test_a_full_disk_while_staging_fails_the_spec_not_the_build(tmp_path, monkeypatch, capsys):
    specs = tmp_path / "specs"
    small(specs, "a")
    small(specs, "b")
    real = outputs_module.write_text

    def write_text(path, text):
        if Path(path).name.startswith("a."):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        real(path, text)

    monkeypatch.setattr(outputs_module, "write_text", write_text)
    out = tmp_path / "out"
    assert main(["build", str(specs), "-o", str(out), "--dry-run"]) == 1
    text = capsys.readouterr().err
    assert "error: cannot write the outputs of a: No space left on device" in text
    assert "internal error" not in text
    assert sorted(outputs(out)) == ["b.body.tex", "b.json", "b.tex"]


# -- the cache -----------------------------------------------------------------------------


def _damages(path: Path, tmp_path: Path) -> list[tuple[str, Callable[[], None]]]:
    """Ways to damage one file under .gradsheet/."""
    good = json.loads(path.read_bytes()) if path.suffix == ".json" else None

    def write(data: bytes) -> Callable[[], None]:
        return lambda: path.write_bytes(data)

    def field(key: str, value: object) -> Callable[[], None]:
        return lambda: path.write_text(json.dumps({**good, key: value}))

    def link(target: str) -> Callable[[], None]:
        return lambda: (path.unlink(), path.symlink_to(target))

    def fifo() -> None:
        path.unlink()
        os.mkfifo(path)

    def folder() -> None:
        path.unlink()
        path.mkdir()

    out: list[tuple[str, Callable[[], None]]] = [
        ("garbage", write(b"\x00\xff garbage {")), ("empty", write(b"")),
        ("not an object", write(b"[1, 2]")), ("huge", write(b" " * 2_000_000 + b"{}")),
        ("deep", write(b"[" * 100_000 + b"]" * 100_000)), ("invalid UTF-8", write(b'{"a": "\xe9"}')),
        ("link to a device", link("/dev/zero")), ("dangling link", link("/nonexistent")),
        ("fifo", fifo), ("folder", folder),
    ]
    if good is not None:
        out += [(f"{key} = {value!r}", field(key, value)) for key, value in [
            ("format", "1"), ("format", True), ("key", 0), ("key", "forged"), ("pdf", "yes"),
            ("templates", "/dev"), ("templates", "relative"), ("templates", 1),
            ("templates_hash", None), ("outputs", []), ("outputs", {"../../x": [1, 2]}),
            ("outputs", {"ls.tex": "big"}), ("outputs", {"ls.tex": [1]}),
            ("outputs", {"ls.tex": [True, 1]}), ("outputs", {}), ("warnings", {}),
            ("warnings", [1]), ("warnings", [{"message": 1}]),
        ]]
        out.append(("forged folder with its key", lambda: path.write_text(json.dumps(
            {**good, "templates": "/dev", "templates_hash": "0" * 64}))))
    return out


def test_any_damage_to_the_cache_means_a_rebuild(tmp_path, capsys):
    spec = small(tmp_path / "specs")
    out = tmp_path / "out"
    assert main(["build", str(spec), "-o", str(out), "--dry-run"]) == 0
    expected = outputs(out)
    stale = out / ".gradsheet" / "cache" / ".ls.0123456789ab.tmp"
    stale.write_text("half a manifest")
    files = [p for p in sorted((out / ".gradsheet").rglob("*")) if p.is_file()]
    assert [p.name for p in files] == [".ls.0123456789ab.tmp", "ls.json"]
    tried = 0
    for path in files:
        for how, damage in _damages(path, tmp_path):
            assert main(["build", str(spec), "-o", str(out), "--dry-run"]) == 0
            pristine = path.read_bytes()
            (out / "ls.tex").write_bytes(b"wrong")  # a stale output: only a rebuild mends it
            os.utime(out / "ls.tex", ns=(0, (out / "ls.json").stat().st_mtime_ns))
            damage()
            capsys.readouterr()
            start = time.monotonic()
            assert main(["build", str(spec), "-o", str(out), "--dry-run"]) == 0, how
            err = capsys.readouterr().err
            assert time.monotonic() - start < 10, how
            assert "internal error" not in err and "Traceback" not in err, how
            assert outputs(out) == expected, how
            if path.exists() and not path.is_symlink() and path.is_dir():
                path.rmdir()
            if not path.exists() and path.name.endswith(".tmp"):
                path.write_bytes(pristine)
            tried += 1
    assert tried == 39
