"""The spec's presentation keys: ``style:``, ``template:`` and the ``latex:`` of a name."""

from __future__ import annotations

import yaml

from gen.spec.latexcheck import check_latex
from gen.spec.model import Style, Text
from gen.spec.yamlnodes import Reader

STYLE_KEYS = ("bold", "transpose")
TRANSPOSES = ("top", "T", "prime")
_BOOLEANS = {"true": True, "false": False}


def read_style(reader: Reader, node: yaml.Node) -> Style | None:
    """``style: {bold: true|false, transpose: top|T|prime}``; None after an error.

    ``bold`` takes the plain words ``true`` and ``false`` only: ``yes``, ``on``
    or a quoted ``"true"`` are refused rather than guessed.
    """
    if reader.is_null(node):
        return Style()
    before = len(reader.src.errors)
    fields = reader.fields(node, "style", STYLE_KEYS)
    bold = False
    if "bold" in fields:
        value = fields["bold"]
        text = value.value if isinstance(value, yaml.ScalarNode) else None
        if reader.skip(value):
            pass
        elif text in _BOOLEANS and isinstance(value, yaml.ScalarNode) and value.style is None:
            bold = _BOOLEANS[text]
        elif text is not None and not reader.is_null(value):
            reader.src.error(
                f"'style.bold' must be true or false, not '{text}'", reader.src.node_span(value)
            )
        else:
            reader.wrong(value, "style.bold", "true or false")
    transpose = "top"
    if "transpose" in fields:
        transpose = reader.choice(fields["transpose"], "style.transpose", TRANSPOSES) or "top"
    if len(reader.src.errors) > before:
        return None
    return Style(bold=bold, transpose=transpose)


def read_template(reader: Reader, node: yaml.Node) -> Text | None:
    """``template:``: a folder of templates, relative to the spec's folder (checked later)."""
    text = reader.text(node, "template")
    if text is None:
        if reader.is_null(node) and not reader.skip(node):
            reader.wrong(node, "template", "a folder name")
        return None
    if not text.value.strip() or "\0" in text.value:
        reader.src.error("'template' must name a folder", text.span)
        return None
    return text


def read_latex(reader: Reader, node: yaml.Node, label: str) -> Text | None:
    """The ``latex:`` of a name, refused unless ``check_latex`` finds it safe."""
    text = reader.text(node, label)
    if text is None:
        return None
    problem = check_latex(text.value)
    if problem is not None:
        reader.src.error(problem.message, text.where.span(problem.start, problem.end))
        return None
    return text
