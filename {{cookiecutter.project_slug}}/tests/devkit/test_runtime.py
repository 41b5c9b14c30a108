"""Process plumbing of the local stacks: one at a time, environment set and restored."""

import os

import pytest

from {{ cookiecutter.package_name }}.config import get_settings
from {{ cookiecutter.package_name }}_devkit.runtime import (
    base_environment,
    exclusive,
    process_environment,
)


def test_a_second_stack_in_the_same_process_is_refused() -> None:
    with exclusive(), pytest.raises(RuntimeError, match="already running"), exclusive():
        pass


def test_the_lock_is_released_when_the_stack_stops() -> None:
    with exclusive():
        pass
    with exclusive():
        pass


def test_environment_is_restored_after_the_block(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://before.example.com")
    with process_environment({"PUBLIC_BASE_URL": "http://127.0.0.1:1", "EXTRA_NAME": "x"}):
        assert os.environ["EXTRA_NAME"] == "x"
    assert os.environ["PUBLIC_BASE_URL"] == "https://before.example.com"
    assert "EXTRA_NAME" not in os.environ


def test_settings_are_read_again_inside_the_block() -> None:
    environment = base_environment("http://127.0.0.1:1", "http://127.0.0.1:2", "ERROR")
    with process_environment(environment):
        settings = get_settings()
        assert (settings.environment, settings.public_base_url) == (
            "development",
            "http://127.0.0.1:2",
        )
    assert get_settings() is not settings
