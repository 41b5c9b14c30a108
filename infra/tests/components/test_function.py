"""What every function of the app shares: its own log group with retention, one code asset."""

from typing import Any

import pytest

from infra.tests.conftest import Synthesized

FUNCTIONS = ("ingest", "worker", "schedules")


def function_id(synthesized: Synthesized, attribute: str) -> str:
    return synthesized.logical_id(getattr(synthesized.stack, attribute).app_function.function)


def function(synthesized: Synthesized, attribute: str) -> dict[str, Any]:
    logical_id = function_id(synthesized, attribute)
    properties: dict[str, Any] = synthesized.resources("AWS::Lambda::Function")[logical_id][
        "Properties"
    ]
    return properties


def test_stack_has_the_app_s_functions_and_the_custom_resource_framework(
    synthesized: Synthesized,
) -> None:
    framework = synthesized.stack.schedules.provider.node.find_child("framework-onEvent")
    expected = {function_id(synthesized, name) for name in FUNCTIONS}
    expected.add(synthesized.logical_id(framework))
    assert set(synthesized.resources("AWS::Lambda::Function")) == expected


@pytest.mark.parametrize("attribute", FUNCTIONS)
def test_function_logs_to_its_own_group_kept_thirty_days(
    synthesized: Synthesized, attribute: str
) -> None:
    log_group = getattr(synthesized.stack, attribute).app_function.log_group
    logical_id = synthesized.logical_id(log_group)
    assert function(synthesized, attribute)["LoggingConfig"] == {"LogGroup": {"Ref": logical_id}}
    resource = synthesized.resources("AWS::Logs::LogGroup")[logical_id]
    assert resource["Properties"]["RetentionInDays"] == 30


def test_every_function_of_the_app_runs_the_same_code_asset(synthesized: Synthesized) -> None:
    codes = {str(function(synthesized, attribute)["Code"]) for attribute in FUNCTIONS}
    assert len(codes) == 1


@pytest.mark.parametrize("attribute", FUNCTIONS)
def test_old_versions_are_deleted_so_snapstart_stops_caching_them(
    synthesized: Synthesized, attribute: str
) -> None:
    app_function = getattr(synthesized.stack, attribute).app_function
    logical_id = synthesized.logical_id(app_function.function.current_version)
    version = synthesized.resources("AWS::Lambda::Version")[logical_id]
    assert version["DeletionPolicy"] == "Delete"
