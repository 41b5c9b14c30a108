"""The DynamoDB tables match the keys and TTL attributes the application writes."""

import re
from typing import Any

import pytest

from infra import constants
from infra.tests.conftest import Synthesized, app_source


def table(synthesized: Synthesized, name: str) -> dict[str, Any]:
    logical_id = synthesized.logical_id(getattr(synthesized.stack.store, name))
    resource: dict[str, Any] = synthesized.resources("AWS::DynamoDB::Table")[logical_id]
    return resource


def test_app_table_has_the_keys_the_delivery_store_uses(synthesized: Synthesized) -> None:
    properties = table(synthesized, "app_table")["Properties"]
    assert properties["KeySchema"] == [
        {"AttributeName": "pk", "KeyType": "HASH"},
        {"AttributeName": "sk", "KeyType": "RANGE"},
    ]
    assert properties["AttributeDefinitions"] == [
        {"AttributeName": "pk", "AttributeType": "S"},
        {"AttributeName": "sk", "AttributeType": "S"},
    ]


def test_delivery_store_writes_those_keys_and_the_ttl_attribute() -> None:
    source = app_source("store/dynamodb.py")
    for attribute in ("pk", "sk", constants.APP_TABLE_TTL_ATTRIBUTE):
        assert re.search('"' + attribute + r'": \{"[SN]"', source), attribute


def test_idempotency_table_has_the_key_powertools_uses(synthesized: Synthesized) -> None:
    properties = table(synthesized, "idempotency_table")["Properties"]
    assert properties["KeySchema"] == [{"AttributeName": "id", "KeyType": "HASH"}]


def test_worker_keeps_powertools_default_idempotency_attributes() -> None:
    # Naming its own key or expiry attribute would need the table to follow.
    source = app_source("aws/worker.py")
    call = source[source.index("DynamoDBPersistenceLayer(") :].split(")", 1)[0]
    assert "key_attr" not in call
    assert "expiry_attr" not in call


@pytest.mark.parametrize(
    ("name", "attribute"),
    [
        ("app_table", constants.APP_TABLE_TTL_ATTRIBUTE),
        ("idempotency_table", constants.IDEMPOTENCY_TABLE_TTL_ATTRIBUTE),
    ],
)
def test_items_expire_by_the_attribute_the_app_writes(
    synthesized: Synthesized, name: str, attribute: str
) -> None:
    assert table(synthesized, name)["Properties"]["TimeToLiveSpecification"] == {
        "AttributeName": attribute,
        "Enabled": True,
    }


@pytest.mark.parametrize("name", ["app_table", "idempotency_table"])
def test_table_is_billed_on_demand_with_point_in_time_recovery(
    synthesized: Synthesized, name: str
) -> None:
    properties = table(synthesized, name)["Properties"]
    assert properties["BillingMode"] == "PAY_PER_REQUEST"
    assert properties["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}


def test_app_table_outlives_the_stack_by_default(synthesized: Synthesized) -> None:
    assert table(synthesized, "app_table")["DeletionPolicy"] == "Retain"


def test_idempotency_table_goes_with_the_stack(synthesized: Synthesized) -> None:
    assert table(synthesized, "idempotency_table")["DeletionPolicy"] == "Delete"
