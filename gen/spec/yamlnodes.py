"""Spec text -> YAML nodes with marks, safely: no anchors, aliases or custom tags; bounded."""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import yaml

from gen.errors import GenError, Span, Where, YamlTooLarge
from gen.spec.chars import bad_code_point, check_bidi, shown
from gen.spec.model import Text

# Control and bidirectional-control characters (tab and newline aside), wherever they come from.
_HIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e"
                     "\u2066-\u2069]")

MAX_BYTES = 1024 * 1024
MAX_DEPTH = 20
MAX_NODES = 10_000

_YAML = "tag:yaml.org,2002:"
NULL_TAG = _YAML + "null"
# The standard collection tags and the tags SafeLoader resolves plain scalars to.
_STANDARD = "str seq map null bool int float timestamp merge value"
_STANDARD_TAGS = frozenset(_YAML + t for t in _STANDARD.split())
_NO_ANCHOR: Any = None  # composed nodes are never registered as anchors
_BREAKS = re.compile(r"\r\n|[\r\n\x85\u2028\u2029]")



@dataclass
class Source:
    """The text of one spec file, its lines, and the errors found in it so far."""

    file: str
    text: str
    lines: tuple[str, ...] = ()
    errors: list[GenError] = field(default_factory=list)
    rejected: set[int] = field(default_factory=set)  # ids of nodes already reported

    def __post_init__(self) -> None:
        if not self.lines:
            self.lines = tuple(shown(line) for line in _BREAKS.split(self.text))

    def span(self, line: int, column: int, length: int = 1) -> Span:
        """A span at a 1-based ``line`` and ``column``, with the line's text."""
        src = self.lines[line - 1] if 0 < line <= len(self.lines) else None
        return Span(self.file, line, column, max(1, length), src)

    def mark_span(self, mark: yaml.Mark | None, length: int = 1) -> Span:
        """The span of a YAML mark (0-based) or, without one, of the whole file."""
        if mark is None:
            return Span(self.file)
        return self.span(mark.line + 1, mark.column + 1, length)

    def index_span(self, index: int, length: int = 1) -> Span:
        """The span at character ``index`` of the text."""
        before = self.text[:index]
        breaks = list(_BREAKS.finditer(before))
        start = breaks[-1].end() if breaks else 0
        return self.span(len(breaks) + 1, index - start + 1, length)

    def error(self, message: str, span: Span) -> None:
        """Record an error."""
        self.errors.append(GenError(message, span))

    def where(self, node: yaml.ScalarNode) -> Where:
        """Where the content of a scalar ``node`` starts (SPEC section 1 ``Text``)."""
        start, end = node.start_mark, node.end_mark
        if node.style in ("|", ">"):
            for line0 in range(start.line + 1, min(end.line + 1, len(self.lines))):
                content = self.lines[line0]
                if content.strip():
                    indent = len(content) - len(content.lstrip())
                    return Where(self.file, line0 + 1, indent + 1, False, self.lines)
            return Where(self.file, start.line + 2, start.column + 1, False, self.lines)
        index, line, column = self._content_start(start)
        quote = 1 if node.style in ("'", '"') else 0
        raw = self.text[index + quote : end.index - quote]
        exact = line == end.line and raw == node.value
        return Where(self.file, line + 1, column + quote + 1, exact, self.lines)

    def node_span(self, node: yaml.Node) -> Span:
        """The span of a node: a scalar's content, or a collection's first character."""
        if isinstance(node, yaml.ScalarNode):
            where = self.where(node)
            return where.span(0, len(node.value)) if where.exact else where.span()
        return self.mark_span(node.start_mark)

    def _content_start(self, mark: yaml.Mark) -> tuple[int, int, int]:
        """Index, line and column (0-based) after a node's tag or anchor, if any."""
        index, text = mark.index, self.text
        while index < len(text) and text[index] in "!&":
            while index < len(text) and text[index] not in " \t\r\n\x85\u2028\u2029":
                index += 1
            while index < len(text) and text[index] in " \t":
                index += 1
        if index >= len(text) or text[index] in "\r\n\x85\u2028\u2029":
            return mark.index, mark.line, mark.column
        return index, mark.line, mark.column + index - mark.index


class _Loader(yaml.SafeLoader):
    """SafeLoader's composer that reports anchors, aliases and custom tags, and counts."""

    def __init__(self, source: Source) -> None:
        super().__init__(source.text)
        self.source = source
        self.depth = 0
        self.count = 0

    def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node:
        """Compose one node, never sharing nodes through anchors."""
        src = self.source
        event = self.peek_event()
        start = cast(yaml.Mark, event.start_mark)
        self.count += 1
        if self.count > MAX_NODES:
            src.error(
                f"spec has more than {MAX_NODES} YAML nodes",
                src.mark_span(start),
            )
            raise YamlTooLarge
        if isinstance(event, yaml.AliasEvent):
            self.get_event()
            src.error(
                "anchors and aliases are not allowed",
                src.mark_span(start, len(event.anchor or "") + 1),
            )
            node: yaml.Node = yaml.ScalarNode(NULL_TAG, "", start, start)
            src.rejected.add(id(node))
            return node
        if event.anchor is not None:
            src.error(
                "anchors and aliases are not allowed",
                src.mark_span(start, len(event.anchor) + 1),
            )
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                src.error(
                    f"spec is nested deeper than {MAX_DEPTH} levels",
                    src.mark_span(start),
                )
                raise YamlTooLarge
            self.descend_resolver(parent, index)
            if self.check_event(yaml.ScalarEvent):
                node = self.compose_scalar_node(_NO_ANCHOR)
            elif self.check_event(yaml.SequenceStartEvent):
                node = self.compose_sequence_node(_NO_ANCHOR)
            else:
                node = self.compose_mapping_node(_NO_ANCHOR)
            self.ascend_resolver()
        finally:
            self.depth -= 1
        if isinstance(node, yaml.ScalarNode) and (why := bad_code_point(node.value)):
            src.error(f"this value holds {why}, written as an escape: it is not a "
                      "character, and no file can hold it", src.node_span(node))
            src.rejected.add(id(node))
            node = yaml.ScalarNode(NULL_TAG, "", node.start_mark, node.end_mark)
            src.rejected.add(id(node))
        if node.tag not in _STANDARD_TAGS:
            tag = (
                "!!" + node.tag[len(_YAML) :]
                if node.tag.startswith(_YAML)
                else node.tag
            )
            src.error(
                f"custom tag '{tag}' is not allowed",
                src.mark_span(node.start_mark, len(tag)),
            )
            src.rejected.add(id(node))
        return node


def compose(source: Source) -> yaml.Node | None:
    """The single document of ``source`` as a node tree; errors go to ``source.errors``.

    Returns None when there is no usable tree (empty stream, invalid YAML, a limit passed).
    """
    check_bidi(source)
    loader: _Loader | None = None
    node: yaml.Node | None = None
    try:
        loader = _Loader(source)
        loader.get_event()  # stream start
        if not loader.check_event(yaml.StreamEndEvent):
            node = loader.compose_document()
        if not loader.check_event(yaml.StreamEndEvent):
            mark = cast(yaml.Mark, loader.get_event().start_mark)
            length = 3 if source.text.startswith("---", mark.index) else 1
            source.error(
                "a spec file holds one YAML document, but a second one starts here",
                source.mark_span(mark, length),
            )
    except YamlTooLarge:
        return None
    except yaml.MarkedYAMLError as exc:
        problem = exc.problem or exc.context or "syntax error"
        source.error(
            f"invalid YAML: {problem}",
            source.mark_span(exc.problem_mark or exc.context_mark),
        )
        return None
    except yaml.reader.ReaderError as exc:
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        source.error(
            f"invalid character U+{code:04X} in spec file",
            source.index_span(exc.position),
        )
        return None
    except (yaml.YAMLError, RecursionError) as exc:
        source.error(f"invalid YAML: {exc}", Span(source.file))
        return None
    finally:
        if loader is not None:
            loader.dispose()
    return node


def one_of(options: Sequence[str]) -> str:
    """``'a', 'b' or 'c'``."""
    quoted = [f"'{o}'" for o in options]
    if len(quoted) == 1:
        return quoted[0]
    return ", ".join(quoted[:-1]) + " or " + quoted[-1]


def did_you_mean(word: str, options: Sequence[str]) -> str:
    """`` (did you mean 'x'?)`` for a close option, else the empty string."""
    close = difflib.get_close_matches(word, options, n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


Items = list[tuple[str, yaml.ScalarNode, yaml.Node]]


class Reader:
    """Typed access to the nodes of one source; each misfit is recorded as an error."""

    def __init__(self, source: Source) -> None:
        self.src = source

    def kind(self, node: yaml.Node) -> str:
        """How a message names the type of ``node``."""
        if isinstance(node, yaml.MappingNode):
            return "a mapping"
        if isinstance(node, yaml.SequenceNode):
            return "a list"
        if self.is_null(node):
            return "empty"
        if node.tag.endswith((":int", ":float")):
            return "a number"
        return "a string"

    def is_null(self, node: yaml.Node) -> bool:
        """True for a plain ``~``, ``null`` or empty scalar."""
        return (
            isinstance(node, yaml.ScalarNode)
            and node.tag == NULL_TAG
            and node.style is None
        )

    def skip(self, node: yaml.Node) -> bool:
        """True for a node already reported (an alias or a custom tag)."""
        return id(node) in self.src.rejected

    def wrong(self, node: yaml.Node, label: str, expected: str) -> None:
        """Record that ``node`` at ``label`` is not of the expected type."""
        self.src.error(
            f"'{label}' must be {expected}, not {self.kind(node)}",
            self.src.node_span(node),
        )

    def mapping(
        self,
        node: yaml.Node,
        label: str,
        allowed: Sequence[str] | None = None,
        inside: str | None = None,
    ) -> Items | None:
        """The entries of a mapping node, without duplicate or (if ``allowed``) unknown keys.

        Args:
            node: The node.
            label: The mapping's path in the spec (``variables.X``); empty for the top level.
            allowed: The keys it may have; None for any.
            inside: How an unknown-key message names the mapping; default `` in 'label'``.

        Returns:
            (key text, key node, value node) of each entry, or None when ``node`` is no mapping.
        """
        if self.skip(node):
            return None
        if not isinstance(node, yaml.MappingNode):
            self.wrong(node, label, "a mapping")
            return None
        if inside is None:
            inside = f" in '{label}'" if label else ""
        items: Items = []
        first: dict[str, yaml.Node] = {}
        for key, value in node.value:
            if self.skip(key):
                continue
            if not isinstance(key, yaml.ScalarNode):
                self.src.error(
                    f"keys must be strings, not {self.kind(key)}",
                    self.src.node_span(key),
                )
                continue
            name, span = key.value, self.key_span(key)
            if name in first:
                line = first[name].start_mark.line + 1
                self.src.error(f"duplicate key '{name}' (first at line {line})", span)
                continue
            first[name] = key
            if allowed is not None and name not in allowed:
                hint = (
                    did_you_mean(name, allowed)
                    or f"; allowed keys: {', '.join(allowed)}"
                )
                self.src.error(f"unknown key '{name}'{inside}{hint}", span)
                continue
            items.append((name, key, value))
        return items

    def fields(
        self,
        node: yaml.Node,
        label: str,
        allowed: Sequence[str],
        inside: str | None = None,
    ) -> dict[str, yaml.Node]:
        """The values of a mapping node by key (see ``mapping``); empty if no mapping."""
        return {k: v for k, _, v in self.mapping(node, label, allowed, inside) or []}

    def key_span(self, key: yaml.ScalarNode) -> Span:
        """The span of a key: its first character, as long as its text."""
        where = self.src.where(key)
        return self.src.span(where.line or 1, where.column or 1, len(key.value))

    def text(self, node: yaml.Node, label: str) -> Text | None:
        """A string value (any scalar, kept as its literal text); None for null or a misfit."""
        if self.skip(node) or self.is_null(node):
            return None
        if not isinstance(node, yaml.ScalarNode):
            self.wrong(node, label, "a string")
            return None
        hidden = _HIDDEN.search(node.value)
        if hidden is not None and hidden.group() not in self.src.text:
            # Written as an escape ("\u202e"): the check of the file's characters missed it.
            code = ord(hidden.group())
            self.src.error(f"'{label}' holds the control character U+{code:04X}, written as an "
                           "escape; such characters are not allowed in text",
                           self.src.node_span(node))
            return None
        return Text(node.value, self.src.where(node))

    def choice(self, node: yaml.Node, label: str, options: Sequence[str]) -> str | None:
        """A string value that must be one of ``options``."""
        if self.skip(node):
            return None
        if not isinstance(node, yaml.ScalarNode) or self.is_null(node):
            self.wrong(node, label, one_of(options))
            return None
        if node.value not in options:
            hint = did_you_mean(node.value, options)
            message = f"'{label}' must be {one_of(options)}, not '{node.value}'{hint}"
            self.src.error(message, self.src.node_span(node))
            return None
        return str(node.value)
