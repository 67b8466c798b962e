"""gradsheet watch, new and schema, run as a user runs them."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import jsonschema
import yaml

from gen.cli.main import main
from gen.cli.schema import SCHEMA_FILE
from tests.e2e.cli_helpers import ROOT, outputs, small


def _wait_for(predicate, what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, f"no {what} after {seconds} s"
        time.sleep(0.05)


def _title(out: Path) -> str | None:
    try:
        return json.loads((out / "ls.json").read_text())["title"]
    except (OSError, ValueError):
        return None


def test_watch_rebuilds_on_save_keeps_the_last_good_outputs_and_stops_on_ctrl_c(tmp_path):
    specs = tmp_path / "specs"
    spec = small(specs)
    out = specs / "output"  # inside the spec folder: its writes must not trigger builds
    log = tmp_path / "watch.log"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    with open(log, "w") as stderr:
        proc = subprocess.Popen(
            [sys.executable, "-m", "gen", "watch", str(specs), "-o", str(out), "--no-pdf"],
            env=env,
            stderr=stderr,
            stdout=subprocess.DEVNULL,
        )
        try:
            _wait_for(lambda: _title(out) == "Least squares", "first build")
            _wait_for(lambda: "watching 1 spec(s)" in log.read_text(), "watching line")
            spec.write_text(spec.read_text().replace("Least squares", "Second title"))
            _wait_for(lambda: _title(out) == "Second title", "rebuild")
            good = outputs(out)
            spec.write_text(spec.read_text().replace("r: X*w - y", "r: X*w - w"))
            _wait_for(lambda: "cannot subtract [m, 1] and [n, 1]" in log.read_text(), "error")
            assert outputs(out) == good
            time.sleep(1.5)  # several polls: the outputs written must not start a build
            text = log.read_text()
            assert text.count("gradsheet: 1 built") == 2 and text.count("1 failed") == 1
            proc.send_signal(signal.SIGINT)
            assert proc.wait(timeout=30) == 0
        finally:
            if proc.poll() is None:
                proc.kill()
    text = log.read_text()
    assert f"{spec}:7:6: error: in 'X*w - w': cannot subtract [m, 1] and [n, 1]" in text
    assert "gradsheet: stopped watching" in text and "Traceback" not in text


def test_new_writes_a_spec_that_builds_and_the_schema_beside_it(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["new", "week3"]) == 0
    err = capsys.readouterr().err
    assert err == f"wrote specs/week3.yaml\nwrote specs/{SCHEMA_FILE}\n"
    text = (tmp_path / "specs" / "week3.yaml").read_text()
    assert text.startswith(f"# yaml-language-server: $schema={SCHEMA_FILE}\n")
    assert main(["build", "--no-pdf"]) == 0  # specs/ -> output/ by default
    assert sorted(outputs(tmp_path / "output")) == ["week3.body.tex", "week3.json", "week3.tex"]
    schema = json.loads((tmp_path / "specs" / SCHEMA_FILE).read_text())
    jsonschema.validate(yaml.safe_load(text), schema)


def test_schema_prints_the_json_schema(capsys):
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["required"] == ["title"]
    assert set(schema["properties"]["layout"]["enum"]) == {"numerator", "denominator", "mixed"}
