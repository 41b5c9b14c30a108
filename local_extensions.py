"""Jinja extensions this template loads through ``_extensions`` in cookiecutter.json.

Cookiecutter puts the template root on ``sys.path`` while it generates a project, so
``"local_extensions.TomlStringExtension"`` imports this module.
"""

from __future__ import annotations

from jinja2 import Environment
from jinja2.ext import Extension

# TOML basic strings may not contain U+0000-U+001F (tab aside) or U+007F literally.
# Escaping tab too keeps one rule for every control character.
_TOML_CONTROL = frozenset([*range(0x20), 0x7F])


def toml_str(value: str) -> str:
    r"""Quote text as a TOML basic string, quotes included.

    ``"`` and ``\`` are backslash-escaped, control characters (U+0000-U+001F,
    U+007F) become ``\uXXXX``, every other character is kept literally. Unlike
    Jinja's ``tojson``, characters outside the Basic Multilingual Plane stay
    literal instead of becoming UTF-16 surrogate pairs, which TOML rejects.

    Args:
        value: Any text, e.g. a free-text cookiecutter answer.

    Returns:
        The TOML basic string, e.g. ``"say \"hi\" \u000a🚀"``.

    Raises:
        TypeError: ``value`` is not a str.
        ValueError: ``value`` holds a lone surrogate, which is not Unicode text
            and cannot be written to a UTF-8 file.
    """
    if not isinstance(value, str):
        msg = f"toml_str expects a str, got {type(value).__name__}"
        raise TypeError(msg)
    return '"' + "".join(_escape(char) for char in value) + '"'


def _escape(char: str) -> str:
    """Return one character as it appears inside a TOML basic string."""
    code = ord(char)
    if char in {'"', "\\"}:
        return "\\" + char
    if code in _TOML_CONTROL:
        return f"\\u{code:04X}"
    if 0xD800 <= code <= 0xDFFF:
        msg = f"toml_str cannot encode the lone surrogate U+{code:04X}"
        raise ValueError(msg)
    return char


class TomlStringExtension(Extension):
    """Add the ``toml_str`` filter: ``{{ cookiecutter.description | toml_str }}``."""

    def __init__(self, environment: Environment) -> None:
        """Register the filter on ``environment``.

        Args:
            environment: The Jinja environment cookiecutter renders the template with.
        """
        super().__init__(environment)
        environment.filters["toml_str"] = toml_str
