"""``gradsheet new``: a starter spec that builds as is, and the schema editors use beside it."""

from __future__ import annotations

from pathlib import Path

from gen.cli.schema import SCHEMA_FILE, schema_text
from gen.errors import GenError, Span
from gen.make.outputs import write_text
from gen.make.specs import SPEC_SUFFIXES, name_problem

DEFAULT_FOLDER = "specs"
MODELINE = f"# yaml-language-server: $schema={SCHEMA_FILE}"

STARTER = """\
{modeline}
# A gradsheet spec: build it with `gradsheet build {path}`.
# The format: `gradsheet docs spec` prints where its page is. Editors with the
# YAML language server complete and check this file against {schema}
# (`gradsheet schema` prints it).
title: {title}
subtitle: Least squares with a weight penalty
author: Course staff
lang: en                      # en | zh
layout: mixed                 # numerator | denominator | mixed
dims:
  m: number of samples
  n: number of features
variables:
  X: {{shape: [m, n], text: design matrix, props: [constant]}}
  w: {{shape: [n], text: weights}}
  y: {{shape: [m], text: targets, props: [constant]}}
  lam: {{shape: [], text: penalty weight, latex: '\\lambda', props: [constant, positive]}}
define:
  r: X*w - y
  J: 1/2 * r'*r + lam/2 * w'*w
derive:
  - of: J
    wrt: w
    method: differential
    text: The gradient of the penalised loss, the shape of w.
"""


def target_path(name: str) -> Path:
    """Where ``gradsheet new NAME`` writes: ``specs/NAME.yaml`` for a bare name, else NAME.

    Raises:
        GenError: NAME cannot name a spec (its outputs would be refused).
    """
    path = Path(name)
    if path.suffix not in SPEC_SUFFIXES:
        path = path.with_name(path.name + ".yaml")
    if len(Path(name).parts) == 1:
        path = Path(DEFAULT_FOLDER) / path
    why = name_problem(path.stem) if path.name not in SPEC_SUFFIXES else "it is empty"
    if why is not None:
        raise GenError(f"cannot name a spec '{name}': {why}", Span(name))
    return path


def starter(path: Path) -> str:
    """The text of a starter spec written to ``path``."""
    title = path.stem.replace("-", " ").replace("_", " ").strip().capitalize() or "Gradient"
    safe_title = title if title.replace(" ", "").isalnum() else "Ridge regression"
    return STARTER.format(modeline=MODELINE, path=path, schema=SCHEMA_FILE, title=safe_title)


def write_new(name: str, *, force: bool = False) -> list[Path]:
    """Write a starter spec, and the schema beside it unless it is there and current.

    Args:
        name: A bare name (written to ``specs/NAME.yaml``) or a path.
        force: Overwrite an existing spec.

    Returns:
        The files written.

    Raises:
        GenError: A bad name, an existing spec (without ``force``), or an OS error.
    """
    path = target_path(name)
    if path.exists() and not force:
        raise GenError(f"{path} already exists (use --force to overwrite it)", Span(str(path)))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_text(path, starter(path))
        written = [path]
        schema = path.parent / SCHEMA_FILE
        text = schema_text()
        if not schema.is_file() or schema.read_text("utf-8") != text:
            write_text(schema, text)
            written.append(schema)
    except OSError as exc:
        raise GenError(f"cannot write {path}: {exc.strerror or exc}", Span(str(path))) from None
    return written
