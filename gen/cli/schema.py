"""A JSON Schema of the spec format, for editors (yaml-language-server) to complete and check."""

from __future__ import annotations

import json
from typing import Any

from gen.spec.latexcheck import ALLOWED_MACROS
from gen.spec.model import Layout, Method, Prop
from gen.spec.style import TRANSPOSES

SCHEMA_ID = "https://gradsheet.invalid/spec-v1.schema.json"
SCHEMA_FILE = "gradsheet.schema.json"
NAME_PATTERN = "^[A-Za-z][A-Za-z0-9_]*$"
# The loader reads every text as written, so a YAML number or date is a text too.
_TEXT: dict[str, Any] = {"type": ["string", "number", "boolean"]}


def _text(description: str) -> dict[str, Any]:
    return {**_TEXT, "description": description}


def _choice(values: list[str], description: str) -> dict[str, Any]:
    return {"enum": values, "description": description}


def _variable() -> dict[str, Any]:
    entry = {
        "oneOf": [
            {"type": "integer", "minimum": 1, "maximum": 999999},
            {"type": "string", "pattern": NAME_PATTERN},
        ]
    }
    props = _choice([p.value for p in Prop], "a property used to simplify and to sample")
    return {
        "type": ["object", "null"],
        "additionalProperties": False,
        "properties": {
            "shape": {
                "type": ["array", "null"],
                "items": entry,
                "maxItems": 2,
                "description": "[] a scalar, [n] a column vector, [m, n] a matrix",
            },
            "text": _text("what the variable is, shown in the sheet's table"),
            "latex": {
                "type": "string",
                "maxLength": 200,
                "description": "how the name is typeset: letters, digits, _ ^ { } ' , ( ) "
                "and the macros " + ", ".join("\\" + m for m in sorted(ALLOWED_MACROS)),
            },
            "props": {"oneOf": [{"type": "array", "items": props, "uniqueItems": True}, props]},
        },
    }


def _definition() -> dict[str, Any]:
    """A definition written as a mapping: value, latex, text, props (SPEC section 8)."""
    variable = _variable()["properties"]
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["value"],
        "properties": {
            "value": {**_TEXT, "maxLength": 2000},
            "latex": variable["latex"],
            "text": _text("what the definition is, shown under the definitions"),
            "props": variable["props"],
        },
    }


def _target() -> dict[str, Any]:
    methods = [m.value for m in Method]
    method = _choice(methods, "how the sheet derives it")
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["of", "wrt"],
        "properties": {
            "of": {
                "type": "string",
                "pattern": NAME_PATTERN,
                "description": "the definition (or variable) to differentiate",
            },
            "wrt": {
                "type": "string",
                "pattern": NAME_PATTERN,
                "description": "a variable or an earlier definition",
            },
            "layout": _choice([m.value for m in Layout], "overrides the spec's layout"),
            "method": {
                "oneOf": [
                    method,
                    {"type": "array", "items": method, "minItems": 1, "uniqueItems": True},
                ]
            },
            "text": _text("commentary shown above the derivation"),
            "order": {"enum": [1, 2, "1", "2"], "description": "2: the Hessian"},
            "given": {
                "type": "string",
                "pattern": NAME_PATTERN,
                "description": "G = dL/d(of), a variable of the shape of 'of': the backward pass",
            },
            "graph": {
                "type": "boolean",
                "description": "the composition graph's figure (default: on for method chain)",
            },
        },
    }


def spec_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a spec file (SPEC section 1)."""
    names = {"type": "object", "propertyNames": {"pattern": NAME_PATTERN}}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "gradsheet spec",
        "description": "A matrix-calculus derivation sheet (the format: `gradsheet docs spec`).",
        "type": "object",
        "additionalProperties": False,
        "required": ["title"],
        "properties": {
            "title": _text("the sheet's title"),
            "subtitle": _text("a line under the title"),
            "author": _text("the author line"),
            "lang": _choice(["en", "zh"], "the sheet's language (zh: XeLaTeX)"),
            "layout": _choice([m.value for m in Layout], "the default layout"),
            "style": {
                "type": ["object", "null"],
                "additionalProperties": False,
                "properties": {
                    "bold": {"type": "boolean", "description": "vectors and matrices in bold"},
                    "transpose": _choice(list(TRANSPOSES), "the transpose mark"),
                },
            },
            "template": {
                "type": "string",
                "description": "a folder of templates, relative to this file",
            },
            "dims": {
                **names,
                "additionalProperties": _text("what the size means"),
                "description": "symbolic sizes, each with an optional note",
            },
            "variables": {**names, "additionalProperties": _variable()},
            "define": {
                **names,
                "additionalProperties": {
                    "oneOf": [{**_TEXT, "maxLength": 2000}, _definition()],
                },
                "description": "compositions, in order; each may use earlier names",
            },
            "assume": {
                "type": ["array", "null"],
                "items": {**_TEXT, "maxLength": 2000},
                "description": "entrywise comparisons the checks sample under: b - A*x > 0, m >= n",
            },
            "derive": {"type": "array", "items": _target()},
        },
    }


def schema_text() -> str:
    """The schema as indented JSON text, ending with a newline."""
    return json.dumps(spec_schema(), indent=2, ensure_ascii=False) + "\n"
