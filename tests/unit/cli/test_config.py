"""The project configuration: gradsheet.toml or [tool.gradsheet]; flags win; bad files located."""

from __future__ import annotations

from pathlib import Path

import pytest

from gen.cli import main as cli
from gen.cli.config import Config, find_config
from gen.errors import GenError
from gen.spec.model import Defaults, Layout
from tests.e2e.cli_helpers import small


def test_no_file_no_settings(tmp_path):
    assert find_config(tmp_path) == Config()


def test_gradsheet_toml(tmp_path):
    (tmp_path / "gradsheet.toml").write_text(
        'output = "site"\nformats = ["pdf", "html"]\njobs = 2\n'
    )
    config = find_config(tmp_path)
    assert (config.output, config.formats, config.jobs) == ("site", ("pdf", "html"), 2)
    assert config.path == tmp_path / "gradsheet.toml"


def test_pyproject_table_and_the_own_file_wins(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.gradsheet]\noutput = "build"\nformats = "pdf,md"\n'
    )
    config = find_config(tmp_path)
    assert (config.output, config.formats) == ("build", ("pdf", "md"))
    (tmp_path / "gradsheet.toml").write_text("jobs = 3\n")
    assert find_config(tmp_path) == Config(tmp_path / "gradsheet.toml", jobs=3)


def test_defaults_for_specs_that_do_not_say(tmp_path):
    (tmp_path / "gradsheet.toml").write_text(
        'layout = "denominator"\nlang = "zh"\nheading = "section"\n'
    )
    config = find_config(tmp_path)
    assert (config.layout, config.lang, config.heading) == ("denominator", "zh", "section")
    assert config.defaults == Defaults(Layout.DENOMINATOR, "zh")
    assert Config().defaults == Defaults(Layout.MIXED, "en")


def test_another_projects_pyproject_is_not_judged(tmp_path):
    (tmp_path / "pyproject.toml").write_text("this is [not toml\n")
    assert find_config(tmp_path) == Config()
    (tmp_path / "pyproject.toml").write_text("[tool.black]\nline-length = 100 # gradsheet\n")
    assert find_config(tmp_path) == Config()


@pytest.mark.parametrize(
    ("text", "line", "column", "words"),
    [
        ('output = "a"\njobs = = 2\n', 2, 8, "not valid TOML"),
        ('output = "a"\n  jobs = 0\n', 2, 3, "'jobs' must be a positive whole number"),
        ("jobs = true\n", 1, 1, "'jobs' must be"),
        ('formats = ["pdf", "pptx"]\n', 1, 1, "unknown format 'pptx'"),
        ('output = ""\n', 1, 1, "'output' must be a folder name"),
        ('\nlayout = "row"\n', 2, 1, "'layout' must be one of numerator, denominator, mixed"),
        ('lang = "fr"\n', 1, 1, "'lang' must be one of en, zh (not 'fr')"),
        ('heading = "title"\n', 1, 1, "'heading' must be one of part, chapter, section"),
        ('outptu = "x"\n', 1, 1, "unknown setting 'outptu'"),
    ],
)
def test_a_bad_file_is_located(tmp_path, text, line, column, words):
    (tmp_path / "gradsheet.toml").write_text(text)
    with pytest.raises(GenError) as caught:
        find_config(tmp_path)
    span = caught.value.span
    assert span is not None and (span.file, span.line, span.column) == (
        str(tmp_path / "gradsheet.toml"),
        line,
        column,
    )
    assert words in caught.value.message


def test_a_bad_pyproject_setting_is_located_in_its_table(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        "[tool.other]\njobs = 1\n\n[tool.gradsheet]\njobs = -1\n"
    )
    with pytest.raises(GenError) as caught:
        find_config(tmp_path)
    assert caught.value.span is not None and caught.value.span.line == 5


def test_the_command_reads_it_and_flags_win(tmp_path, monkeypatch, capsys):
    small(tmp_path / "specs")
    (tmp_path / "gradsheet.toml").write_text('output = "site"\njobs = 1\n')
    monkeypatch.chdir(tmp_path)
    assert cli.main(["build", "--no-pdf", "-q"]) == 0
    assert (tmp_path / "site" / "ls.tex").is_file() and not (tmp_path / "output").exists()
    assert cli.main(["build", "--no-pdf", "-q", "-o", "mine"]) == 0
    assert (tmp_path / "mine" / "ls.tex").is_file()
    assert cli.main(["clean", "-q"]) == 0
    assert not (tmp_path / "site" / "ls.tex").exists() and (tmp_path / "mine" / "ls.tex").exists()


def test_a_bad_file_is_a_usage_error_with_its_place(tmp_path, monkeypatch, capsys):
    small(tmp_path / "specs")
    (tmp_path / "gradsheet.toml").write_text('output = "site"\njobs = "many"\n')
    monkeypatch.chdir(tmp_path)
    assert cli.main(["build", "--dry-run"]) == 2
    err = capsys.readouterr().err
    assert "gradsheet.toml:2:1: error: 'jobs' must be a positive whole number" in err
    assert '    2 | jobs = "many"' in err
    assert cli.main(["schema"]) == 0  # commands that build nothing do not read it


def test_jobs_and_formats_reach_the_build_options(tmp_path, monkeypatch):
    (tmp_path / "gradsheet.toml").write_text('jobs = 3\nformats = ["pdf", "md"]\n')
    monkeypatch.chdir(tmp_path)
    seen = {}

    def build(specs, options, reporter):
        seen["options"] = options
        return 0

    monkeypatch.setattr(cli, "_build", build)
    small(tmp_path / "specs")
    assert cli.main(["build"]) == 0
    options = seen["options"]
    assert options.jobs == 3 and options.out_dir == Path("output")
    assert list(options.formats) == ["pdf", "md"]  # build --to's field (SPEC section 9)
    assert cli.main(["build", "-j", "1"]) == 0 and seen["options"].jobs == 1
