"""Spec files -> ``Spec`` values: the schema of SPEC section 1, every error of a file at once."""

from __future__ import annotations

import keyword
import re
from pathlib import Path, PurePath

import yaml

from gen.errors import GenError, GenErrors, Span
from gen.expr.ast import RESERVED
from gen.expr.functions import OVERRIDABLE
from gen.spec.assume import read_assumptions
from gen.spec.chars import decode
from gen.spec.model import (
    ROW_PROPS,
    Defaults,
    Definition,
    Dim,
    Layout,
    Method,
    Prop,
    Spec,
    Style,
    Target,
    Text,
    Variable,
)
from gen.spec.style import read_latex, read_style, read_template
from gen.spec.yamlnodes import MAX_BYTES, Reader, Source, compose, did_you_mean

_HEAD_KEYS = ("title", "subtitle", "author", "lang", "layout")
_TOP_KEYS = (
    *_HEAD_KEYS,
    "style",
    "template",
    "dims",
    "variables",
    "define",
    "assume",
    "derive",
)
_VARIABLE_KEYS = ("shape", "text", "latex", "props")
_DEFINITION_KEYS = ("value", "latex", "text", "props")
_TARGET_KEYS = ("of", "wrt", "layout", "method", "text", "order", "given", "graph")
_LANGS = ("en", "zh")
_LAYOUTS = tuple(m.value for m in Layout)
_METHODS = tuple(m.value for m in Method)
_PROPS = tuple(p.value for p in Prop)
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
_SHAPE_INT = re.compile(r"[1-9][0-9]{0,5}")
_SHAPE_RULE = "expected a positive integer (at most 6 digits) or a dimension name"

Fields = dict[str, yaml.Node]
Used = list[tuple[str, Span]]  # dimension names used in shapes, where


def load_spec(path: str | Path, defaults: Defaults | None = None) -> Spec:
    """Read and check one spec file.

    Args:
        path: The spec file; kept as given in ``Spec.path`` and in every span.
        defaults: The layout and language of a spec that does not say (the project's).

    Returns:
        The spec.

    Raises:
        GenErrors: Every problem found in the file.
    """
    file = str(path)
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise GenErrors(
            [GenError(f"cannot read spec file: {exc.strerror or exc}", Span(file))]
        ) from None
    if len(data) > MAX_BYTES:
        raise GenErrors([GenError("spec file is larger than 1 MB", Span(file))])
    return load_spec_text(decode(data, file), file, defaults)


def load_spec_text(text: str, path: str, defaults: Defaults | None = None) -> Spec:
    """Check the text of a spec file.

    Args:
        text: The file's content (a leading byte-order mark is dropped).
        path: The file's path, for ``Spec.name``, ``Spec.path`` and the spans.
        defaults: The layout and language of a spec that does not say (the project's).

    Returns:
        The spec.

    Raises:
        GenErrors: Every problem found in the text, in file order.
    """
    text = text.removeprefix("\ufeff")
    if len(text.encode("utf-8", "replace")) > MAX_BYTES:
        raise GenErrors([GenError("spec file is larger than 1 MB", Span(path))])
    if not text.strip():
        raise GenErrors([GenError("empty spec file", Span(path))])
    source = Source(path, text)
    root = compose(source)
    spec = None
    if root is None and not source.errors:
        source.error("empty spec file", Span(path))
    elif root is not None:
        spec = _Walker(source, defaults or Defaults()).spec(root, path)
    if source.errors or spec is None:
        raise GenErrors(sorted(source.errors, key=lambda e: _position(e.span)))
    return spec


def _position(span: Span | None) -> tuple[int, int]:
    """Sort key: file order."""
    return (span.line or 0, span.column or 0) if span else (0, 0)


def _reserved(name: str) -> str | None:
    """Why ``name`` cannot name a dimension, variable or definition; None when it can."""
    if name == "I":
        return "it is the identity matrix of the expression syntax"
    if name in RESERVED and name not in OVERRIDABLE:
        return "it is a function of the expression syntax"
    if keyword.iskeyword(name):
        return "it is a Python keyword"
    if name == "np":
        return "it stands for numpy in the results"
    return None


class _Walker(Reader):
    """Walks the node tree of one spec, building its values and recording errors."""

    def __init__(self, source: Source, defaults: Defaults) -> None:
        super().__init__(source)
        self.defaults = defaults
        self.names: list[tuple[str, str, Span]] = []  # (name, kind, span) of every name

    def spec(self, root: yaml.Node, path: str) -> Spec | None:
        """The whole spec, or None when there were errors."""
        if self.skip(root):
            return None
        if self.is_null(root):
            self.src.error("empty spec file", Span(path))
            return None
        if not isinstance(root, yaml.MappingNode):
            message = f"a spec must be a mapping of keys such as 'title', not {self.kind(root)}"
            self.src.error(message, self.src.node_span(root))
            return None
        top = self.fields(root, "", _TOP_KEYS)
        title = self.required(top, "title", "title", root)
        subtitle = self.optional(top, "subtitle", "subtitle")
        author = self.optional(top, "author", "author")
        lang = self.choice(top["lang"], "lang", _LANGS) if "lang" in top else self.defaults.lang
        layout = self.layout(top, "layout", self.defaults.layout)
        style = read_style(self, top["style"]) if "style" in top else Style()
        template = read_template(self, top["template"]) if "template" in top else None
        declared = (
            self.dims(top["dims"]) if "dims" in top and not self.is_null(top["dims"]) else None
        )
        used: Used = []
        variables = self.variables(top["variables"], used) if "variables" in top else ()
        definitions = self.definitions(top["define"]) if "define" in top else ()
        assumptions = read_assumptions(self, top["assume"]) if "assume" in top else ()
        targets = self.targets(top["derive"], layout or Layout.MIXED) if "derive" in top else ()
        dims = self.shape_dims(declared, used)
        self.clashes()
        if self.src.errors or title is None or lang is None or layout is None or style is None:
            return None
        return Spec(
            name=PurePath(path).stem,
            path=path,
            title=title,
            subtitle=subtitle,
            author=author,
            lang=lang,
            layout=layout,
            dims=dims,
            variables=variables,
            definitions=definitions,
            targets=targets,
            source=self.src.text,
            style=style,
            template=template,
            assumptions=assumptions,
        )

    def optional(self, fields: Fields, key: str, label: str) -> Text | None:
        """An optional string value."""
        return self.text(fields[key], label) if key in fields else None

    def required(self, fields: Fields, key: str, label: str, at: yaml.Node) -> Text | None:
        """A required string value; when missing, the error stands at ``at``."""
        if key not in fields:
            where = "" if label == key else " in a 'derive' item"
            self.src.error(
                f"missing required key '{key}'{where}",
                self.src.mark_span(at.start_mark),
            )
            return None
        if self.is_null(fields[key]) and not self.skip(fields[key]):
            self.wrong(fields[key], label, "a string")
        return self.text(fields[key], label)

    def layout(self, fields: Fields, label: str, default: Layout) -> Layout | None:
        """The ``layout`` of ``fields``, or ``default`` when it is absent."""
        if "layout" not in fields:
            return default
        value = self.choice(fields["layout"], label, _LAYOUTS)
        return Layout(value) if value is not None else None

    def name(self, key: yaml.ScalarNode, kind: str) -> bool:
        """Check a declared name (a key) and remember it."""
        return self.check_name(key.value, kind, self.key_span(key))

    def check_name(self, name: str, kind: str, span: Span) -> bool:
        """Check that ``name`` is an identifier and not reserved, and remember it."""
        if not _NAME.fullmatch(name):
            rule = "a name is a letter followed by letters, digits or '_'"
            self.src.error(f"invalid {kind} name '{name}': {rule}", span)
            return False
        why = _reserved(name)
        if why is not None:
            self.src.error(f"name '{name}' is reserved: {why}", span)
            return False
        self.names.append((name, kind, span))
        return True

    def dims(self, node: yaml.Node) -> list[Dim]:
        """The declared dimensions, each with an optional note."""
        dims = []
        for name, key, value in self.mapping(node, "dims") or []:
            note = self.text(value, f"dims.{name}")
            if self.name(key, "dimension"):
                dims.append(Dim(name, note, self.key_span(key)))
        return dims

    def variables(self, node: yaml.Node, used: Used) -> tuple[Variable, ...]:
        """The variables; the dimension names their shapes use go to ``used``."""
        if self.is_null(node):
            return ()
        out = []
        for name, key, value in self.mapping(node, "variables") or []:
            label = f"variables.{name}"
            ok = self.name(key, "variable")
            fields = {} if self.is_null(value) else self.fields(value, label, _VARIABLE_KEYS)
            before = len(self.src.errors)
            shape = self.shape(fields.get("shape"), f"{label}.shape", used)
            shape_ok = len(self.src.errors) == before
            props = self.props(fields.get("props"), f"{label}.props")
            for prop in ROW_PROPS:
                if prop in props and shape_ok:
                    self.row_prop_shape(fields["props"], shape, prop)
            text = self.optional(fields, "text", f"{label}.text")
            node_latex = fields.get("latex")
            latex = (
                read_latex(self, node_latex, f"{label}.latex") if node_latex is not None else None
            )
            if ok:
                out.append(Variable(name, shape, props, text, latex, self.key_span(key)))
        return tuple(out)

    def shape(self, node: yaml.Node | None, label: str, used: Used) -> tuple[str | int, ...]:
        """A shape: at most two entries, each a positive integer or a dimension name."""
        if node is None or self.skip(node) or self.is_null(node):
            return ()
        if not isinstance(node, yaml.SequenceNode):
            self.wrong(node, label, "a list such as [m, n]")
            return ()
        if len(node.value) > 2:
            self.src.error("shapes have at most two entries", self.src.node_span(node.value[2]))
        out: list[str | int] = []
        for entry in node.value[:2]:
            if self.skip(entry):
                continue
            span = self.src.node_span(entry)
            value = entry.value if isinstance(entry, yaml.ScalarNode) else None
            if value is not None and _SHAPE_INT.fullmatch(value):
                out.append(int(value))
            elif value is not None and _NAME.fullmatch(value):
                out.append(value)
                used.append((value, span))
            else:
                bad = f"({self.kind(entry)})" if value is None else f"'{value}'"
                self.src.error(f"bad shape entry {bad}: {_SHAPE_RULE}", span)
        return tuple(out)

    def props(self, node: yaml.Node | None, label: str) -> frozenset[Prop]:
        """Props: a list of known prop names (a single name is accepted too)."""
        if node is None or self.skip(node) or self.is_null(node):
            return frozenset()
        entries = node.value if isinstance(node, yaml.SequenceNode) else [node]
        props = set()
        for entry in entries:
            text = self.text(entry, label)
            if text is None:
                if self.is_null(entry):
                    self.wrong(entry, label, "a list of props")
            elif text.value in _PROPS:
                props.add(Prop(text.value))
            else:
                hint = did_you_mean(text.value, _PROPS) or f"; known props: {', '.join(_PROPS)}"
                self.src.error(f"unknown prop '{text.value}'{hint}", text.span)
        return frozenset(props)

    def row_prop_shape(self, node: yaml.Node, shape: tuple[str | int, ...], prop: Prop) -> None:
        """``probability`` and ``one-hot`` fit a vector (the vector) or a matrix (each row)."""
        if shape:
            return
        entries = node.value if isinstance(node, yaml.SequenceNode) else [node]
        entry = next(
            (e for e in entries if isinstance(e, yaml.ScalarNode) and e.value == prop.value),
            node,
        )
        self.src.error(
            f"'{prop.value}' needs a vector [n] or a matrix [m, n] (each row), not a scalar",
            self.src.node_span(entry),
        )

    def shape_dims(self, declared: list[Dim] | None, used: Used) -> tuple[Dim, ...]:
        """The declared dims; without ``dims``, the names used in shapes, in order of first use."""
        if declared is not None:
            names = [d.name for d in declared]
            for name, span in used:
                if name not in names:
                    hint = did_you_mean(name, names) or (
                        f"; declared: {', '.join(names)}" if names else ""
                    )
                    self.src.error(f"dimension '{name}' is not declared in 'dims'{hint}", span)
            return tuple(declared)
        implied: dict[str, Dim] = {}
        for name, span in used:
            if name not in implied and self.check_name(name, "dimension", span):
                implied[name] = Dim(name, None, span)
        return tuple(implied.values())

    def definitions(self, node: yaml.Node) -> tuple[Definition, ...]:
        """The ``define`` entries: an expression (a number is kept as its text), or a
        mapping with ``value`` (the expression), ``latex``, ``text`` and ``props``."""
        if self.is_null(node):
            return ()
        out = []
        for name, key, value in self.mapping(node, "define") or []:
            ok = self.name(key, "definition")
            if self.is_null(value):
                self.src.error(f"'define.{name}' needs an expression", self.key_span(key))
                continue
            if isinstance(value, yaml.MappingNode):
                made = self.definition_fields(name, key, value)
                if ok and made is not None:
                    out.append(made)
                continue
            expr = self.text(value, f"define.{name}")
            if ok and expr is not None:
                out.append(Definition(name, expr, self.key_span(key)))
        return tuple(out)

    def definition_fields(
        self, name: str, key: yaml.ScalarNode, node: yaml.MappingNode
    ) -> Definition | None:
        """A definition written as a mapping: ``{value: ..., latex:, text:, props:}``."""
        label = f"define.{name}"
        fields = self.fields(node, label, _DEFINITION_KEYS)
        if "value" not in fields:
            self.src.error(
                f"missing required key 'value' in '{label}' (the expression)",
                self.src.mark_span(node.start_mark),
            )
            expr = None
        elif self.is_null(fields["value"]):
            self.src.error(f"'{label}.value' needs an expression", self.key_span(key))
            expr = None
        else:
            expr = self.text(fields["value"], f"{label}.value")
        text = self.optional(fields, "text", f"{label}.text")
        node_latex = fields.get("latex")
        latex = read_latex(self, node_latex, f"{label}.latex") if node_latex is not None else None
        props = self.props(fields.get("props"), f"{label}.props")
        spans = self.prop_spans(fields.get("props"), props)
        for prop, span in spans:
            if prop is Prop.CONSTANT:
                why = "a definition is computed from the variables; declare them constant"
                self.src.error(f"'constant' does not apply to a definition: {why}", span)
        if expr is None:
            return None
        return Definition(name, expr, self.key_span(key), text, latex, props, spans)

    def prop_spans(
        self, node: yaml.Node | None, props: frozenset[Prop]
    ) -> tuple[tuple[Prop, Span], ...]:
        """Where each of ``props`` is written in ``node`` (a list or a single name)."""
        if node is None:
            return ()
        entries = node.value if isinstance(node, yaml.SequenceNode) else [node]
        out: dict[Prop, Span] = {}
        for entry in entries:
            if isinstance(entry, yaml.ScalarNode) and entry.value in _PROPS:
                prop = Prop(entry.value)
                if prop in props:
                    out.setdefault(prop, self.src.node_span(entry))
        return tuple(sorted(out.items(), key=lambda item: item[0].value))

    def targets(self, node: yaml.Node, layout: Layout) -> tuple[Target, ...]:
        """The ``derive`` items."""
        if self.skip(node) or self.is_null(node):
            return ()
        if not isinstance(node, yaml.SequenceNode):
            self.wrong(node, "derive", "a list")
            return ()
        out = []
        for item in node.value:
            if not isinstance(item, yaml.MappingNode):
                if not self.skip(item):
                    message = f"each item of 'derive' must be a mapping, not {self.kind(item)}"
                    self.src.error(message, self.src.node_span(item))
                continue
            fields = self.fields(item, "derive", _TARGET_KEYS, " in a 'derive' item")
            of = self.required(fields, "of", "derive.of", item)
            wrt = self.required(fields, "wrt", "derive.wrt", item)
            own = self.layout(fields, "derive.layout", layout)
            methods = self.methods(fields.get("method"))
            text = self.optional(fields, "text", "derive.text")
            order: str | None = "1"
            if "order" in fields:
                order = self.choice(fields["order"], "derive.order", ("1", "2"))
            given = self.optional(fields, "given", "derive.given")
            if given is not None and order == "2":
                why = "it asks for the backward pass, a first derivative"
                self.src.error(f"'given' does not apply to 'order: 2': {why}", given.span)
                order = None
            graph = self.flag(fields["graph"], "derive.graph") if "graph" in fields else None
            if of and wrt and own and methods and order:
                span = self.src.mark_span(item.start_mark)
                out.append(
                    Target(of, wrt, own, methods, text, int(order), span, given, graph=graph)
                )
        return tuple(out)

    def flag(self, node: yaml.Node, label: str) -> bool | None:
        """``true`` or ``false``, written plainly (not ``yes``, nor quoted); None otherwise."""
        value = node.value if isinstance(node, yaml.ScalarNode) else None
        if isinstance(node, yaml.ScalarNode) and node.style is None and value in ("true", "false"):
            return value == "true"
        if value is not None and not self.is_null(node) and not self.skip(node):
            self.src.error(
                f"'{label}' must be true or false, not '{value}'", self.src.node_span(node)
            )
        elif not self.skip(node):
            self.wrong(node, label, "true or false")
        return None

    def methods(self, node: yaml.Node | None) -> tuple[Method, ...] | None:
        """``method``: one method name or a list of them; by default differential."""
        if node is None:
            return (Method.DIFFERENTIAL,)
        if self.skip(node):
            return None
        entries = node.value if isinstance(node, yaml.SequenceNode) else [node]
        if not entries:
            self.src.error("'derive.method' needs at least one method", self.src.node_span(node))
            return None
        out: list[Method] = []
        for entry in entries:
            value = self.choice(entry, "derive.method", _METHODS)
            if value is None:
                return None
            if Method(value) in out:
                self.src.error(f"method '{value}' is listed twice", self.src.node_span(entry))
                return None
            out.append(Method(value))
        return tuple(out)

    def clashes(self) -> None:
        """A name is one of: a dimension, a variable, a definition; report the later use."""
        first: dict[str, tuple[str, Span]] = {}
        for name, kind, span in sorted(self.names, key=lambda n: _position(n[2])):
            if name in first and first[name][0] != kind:
                other, at = first[name]
                self.src.error(f"name '{name}' is already a {other} (line {at.line})", span)
            first.setdefault(name, (kind, span))
