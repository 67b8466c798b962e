"""Templates from a folder of someone else's run in Jinja's sandbox: no Python reaches out."""

from pathlib import Path

import jinja2
import pytest

from gen.render.sheet import environment


def test_a_template_cannot_reach_python_internals(tmp_path: Path):
    (tmp_path / "sheet.tex.j2").write_text("<%= ''.__class__.__mro__[1].__subclasses__() %>")
    env = environment(tmp_path)
    with pytest.raises(jinja2.exceptions.SecurityError):
        env.get_template("sheet.tex.j2").render()
