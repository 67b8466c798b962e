"""Hostile YAML: each input answered with one located, clear error (or read as plain text)."""

from __future__ import annotations

import pytest

from gen.errors import GenErrors
from gen.spec.load import load_spec_text

RULE = "it makes text display in another order than it is read"
KEYS = "title, subtitle, author, lang, layout, style, template, dims, variables, define, assume, derive"


def errors(text: str) -> list[str]:
    """Every error of a spec that must fail, formatted as the user sees it."""
    with pytest.raises(GenErrors) as info:
        load_spec_text(text, "t.yaml")
    return [str(e) for e in info.value.errors]


@pytest.mark.parametrize(
    ("char", "name"),
    [
        ("\u202e", "RIGHT-TO-LEFT OVERRIDE"),
        ("\u202d", "LEFT-TO-RIGHT OVERRIDE"),
        ("\u202a", "LEFT-TO-RIGHT EMBEDDING"),
        ("\u202b", "RIGHT-TO-LEFT EMBEDDING"),
        ("\u202c", "POP DIRECTIONAL FORMATTING"),
        ("\u2066", "LEFT-TO-RIGHT ISOLATE"),
        ("\u2067", "RIGHT-TO-LEFT ISOLATE"),
        ("\u2068", "FIRST STRONG ISOLATE"),
        ("\u2069", "POP DIRECTIONAL ISOLATE"),
        ("\u200f", "RIGHT-TO-LEFT MARK"),
    ],
)
def test_bidirectional_controls_are_refused_where_they_stand(char: str, name: str) -> None:
    [err] = errors(f'title: "abc{char}def"\n')
    code = f"U+{ord(char):04X}"
    assert err == (
        f"t.yaml:1:12: error: bidirectional control character {code} ({name}) is not allowed: "
        f'{RULE}\n    1 | title: "abc\ufffddef"\n      |            ^'
    )


def test_a_bidirectional_control_in_a_comment_is_refused_too() -> None:
    [err] = errors("title: T # \u2066 hidden\n")
    assert err.startswith("t.yaml:1:12: error: bidirectional control character U+2066")


def test_a_control_character_is_never_shown_raw() -> None:
    [err] = errors("title: a\x1b[2Jb\n")
    assert "\x1b" not in err
    assert err == (
        "t.yaml:1:9: error: invalid character U+001B in spec file\n"
        "    1 | title: a\ufffd[2Jb\n      |         ^"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("title: T\nlang: NO\n", "t.yaml:2:7: error: 'lang' must be 'en' or 'zh', not 'NO'"),
        (
            "title: T\nlayout: off\n",
            "t.yaml:2:9: error: 'layout' must be 'numerator', 'denominator' or 'mixed', not 'off'",
        ),
        (
            "title: T\nvariables:\n  x: {}\ndefine:\n  J: x\nderive:\n  - {of: J, wrt: x, order: 0x2}\n",
            "t.yaml:7:28: error: 'derive.order' must be '1' or '2', not '0x2'",
        ),
        (
            "title: T\nvariables:\n  x: {}\ndefine:\n  J: x\nderive:\n"
            "  - {of: J, wrt: x, order: 99999999999999999999999}\n",
            "t.yaml:7:28: error: 'derive.order' must be '1' or '2', not '99999999999999999999999'",
        ),
        (
            "title: T\nvariables:\n  x: {shape: [0755]}\n",
            "t.yaml:3:15: error: bad shape entry "
            "'0755': expected a positive integer (at most 6 digits) or a dimension name",
        ),
        (
            "title: T\nvariables:\n  x: {shape: [1e3]}\n",
            "t.yaml:3:15: error: bad shape entry "
            "'1e3': expected a positive integer (at most 6 digits) or a dimension name",
        ),
        (
            "title: T\nvariables:\n  x: {shape: [1:20]}\n",
            "t.yaml:3:15: error: bad shape entry "
            "'1:20': expected a positive integer (at most 6 digits) or a dimension name",
        ),
        (
            "title: T\nvariables:\n  x: {shape: [99999999999999999999]}\n",
            "t.yaml:3:15: error: "
            "bad shape entry '99999999999999999999': expected a positive integer (at most 6 digits) "
            "or a dimension name",
        ),
        (
            "title: T\nvariables:\n  1: {}\n",
            "t.yaml:3:3: error: invalid variable name '1': a name "
            "is a letter followed by letters, digits or '_'",
        ),
        (
            "title: T\nvariables:\n  ~: {}\n",
            "t.yaml:3:3: error: invalid variable name '~': a name "
            "is a letter followed by letters, digits or '_'",
        ),
        ("title: T\ntrue: 1\n", f"t.yaml:2:1: error: unknown key 'true'; allowed keys: {KEYS}"),
        (
            "title: T\n<<: {author: x}\n",
            f"t.yaml:2:1: error: unknown key '<<'; allowed keys: {KEYS}",
        ),
        (
            "title: T\nstyle: {bold: on}\n",
            "t.yaml:2:15: error: 'style.bold' must be true or false, not 'on'",
        ),
    ],
)
def test_yaml_11_surprises_get_a_located_error(text: str, expected: str) -> None:
    [err] = errors(text)
    assert err.splitlines()[0] == expected


def test_yaml_11_surprises_in_text_stay_the_text_written() -> None:
    spec = load_spec_text("title: 2024-01-01\nauthor: 12:30:00\nsubtitle: NO\n", "t.yaml")
    assert spec.title.value == "2024-01-01"
    assert spec.author is not None and spec.author.value == "12:30:00"
    assert spec.subtitle is not None and spec.subtitle.value == "NO"


def test_a_huge_number_is_only_text_until_an_expression_reads_it() -> None:
    spec = load_spec_text("title: 1e999999\ndefine:\n  J: 1e400\n", "t.yaml")
    assert spec.title.value == "1e999999"
    assert spec.definitions[0].expr.value == "1e400"


def test_non_string_keys_are_refused() -> None:
    [err] = errors("title: T\n? [a, b]\n: 1\n")
    assert err.splitlines()[0] == "t.yaml:2:3: error: keys must be strings, not a list"
    [err] = errors("title: T\n? {a: 1}\n: 1\n")
    assert err.splitlines()[0] == "t.yaml:2:3: error: keys must be strings, not a mapping"


def test_a_billion_laughs_is_refused_at_its_first_anchor_and_cheaply() -> None:
    rows = ["title: &a [x, x, x, x, x, x, x, x, x]"]
    rows += [f"k{i}: &a{i} [" + ", ".join(["*a"] * 9) + "]" for i in range(12)]
    errs = errors("\n".join(rows) + "\n")
    assert errs[0].startswith("t.yaml:1:8: error: anchors and aliases are not allowed")
    assert all(
        "anchors and aliases are not allowed" in e or "unknown key" in e or "must be a string" in e
        for e in errs
    )


def test_a_bidirectional_control_written_as_an_escape_is_refused_too():
    from gen.errors import GenErrors
    from gen.spec.load import load_spec_text

    with pytest.raises(GenErrors) as info:
        load_spec_text('title: "x \\u202e y"\n', "esc.yaml")
    (err,) = info.value.errors
    assert str(err).startswith("esc.yaml:1:9: error: 'title' holds the control character U+202E")
