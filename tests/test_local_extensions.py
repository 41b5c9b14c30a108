"""The ``toml_str`` filter: any text becomes a TOML basic string that parses back exactly."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

import pytest
from cookiecutter.utils import create_env_with_context

from local_extensions import toml_str

EMOJI = "\N{ROCKET}"


def round_trip(value: str) -> str:
    """Parse ``value`` back out of a one-line TOML document."""
    return tomllib.loads(f"key = {toml_str(value)}\n")["key"]


def test_plain_text_is_quoted() -> None:
    assert toml_str("QStash Jobs") == '"QStash Jobs"'


def test_quote_and_backslash_are_escaped() -> None:
    assert toml_str('say "hi" C:\\new') == '"say \\"hi\\" C:\\\\new"'


def test_control_characters_become_unicode_escapes() -> None:
    assert toml_str("a\nb\tc\0d\x7f\x1b") == '"a\\u000Ab\\u0009c\\u0000d\\u007F\\u001B"'


def test_characters_outside_the_basic_plane_stay_literal() -> None:
    assert toml_str(f"{EMOJI} \U0001d11e") == f'"{EMOJI} \U0001d11e"'


def test_tojson_would_write_surrogate_pairs_that_toml_rejects() -> None:
    escaped = json.dumps(EMOJI)
    assert escaped == '"\\ud83d\\ude80"'
    with pytest.raises(tomllib.TOMLDecodeError):
        tomllib.loads(f"key = {escaped}\n")


@pytest.mark.parametrize("code", [*range(0x80), 0x85, 0xA0, 0x2028, 0xFEFF, 0xFFFD, 0x10FFFF])
def test_every_ascii_and_edge_character_round_trips(code: int) -> None:
    value = f"x{chr(code)}y"
    assert round_trip(value) == value


@pytest.mark.parametrize(
    "value",
    [
        "",
        "\\",
        '"',
        '"""',
        "'''",
        '\\"',
        "\\u0041",
        'x", evil = "y',
        "first line\nsecond line\r\n",
        '"; import os; os.system("touch /tmp/pwned") #',
        f"Z\u00fcrich \u65e5\u672c {EMOJI} \N{MAN}\N{ZWJ}\N{WOMAN}",
    ],
)
def test_hostile_text_round_trips(value: str) -> None:
    assert round_trip(value) == value


def test_lone_surrogate_is_refused() -> None:
    with pytest.raises(ValueError, match="lone surrogate U\\+DC80"):
        toml_str("bad \udc80")


def test_non_text_is_refused() -> None:
    with pytest.raises(TypeError, match="expects a str, got int"):
        toml_str(3)  # type: ignore[arg-type]


def test_cookiecutter_loads_the_filter_from_cookiecutter_json(
    template_dir: Path, default_answers: dict[str, Any]
) -> None:
    assert "local_extensions.TomlStringExtension" in default_answers["_extensions"]
    context = {"cookiecutter": {**default_answers, "description": f'a "b" {EMOJI}'}}
    env = create_env_with_context(context)
    rendered = env.from_string("d = {{ cookiecutter.description | toml_str }}").render(**context)
    assert tomllib.loads(rendered) == {"d": f'a "b" {EMOJI}'}
