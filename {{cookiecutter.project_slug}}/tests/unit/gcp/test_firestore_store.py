"""What only Firestore needs: lazy TTL deletion read as expiry, timestamp TTL fields, odd ids."""

from datetime import datetime

from google.cloud import firestore

from {{ cookiecutter.package_name }}.store.firestore import (
    FirestoreDeliveryStore,
    FirestoreJobRuns,
    document_id,
)
from {{ cookiecutter.package_name }}_devkit.firestore_emulator import CALL_TIMEOUT

NOW = 1_767_225_600


class Clock:
    def __init__(self) -> None:
        self.now = float(NOW)

    def __call__(self) -> float:
        return self.now


def test_hand_off_mark_past_its_expiry_reads_as_absent(
    firestore_client: firestore.Client, firestore_prefix: str
) -> None:
    # Firestore's TTL policy deletes within about a day, so the document may still be there.
    clock = Clock()
    store = FirestoreDeliveryStore(
        firestore_client,
        handoff_mark_ttl_seconds=60,
        collection_prefix=firestore_prefix,
        timeout_seconds=CALL_TIMEOUT,
        clock=clock,
    )
    store.mark_handed_off("msg_1", "tally")
    clock.now += 60
    assert not store.is_handed_off("msg_1")


def test_job_run_past_its_expiry_reads_as_expired(
    firestore_client: firestore.Client, firestore_prefix: str
) -> None:
    clock = Clock()
    runs = FirestoreJobRuns(
        firestore_client,
        expiry_seconds=60,
        collection_prefix=firestore_prefix,
        timeout_seconds=CALL_TIMEOUT,
        clock=clock,
    )
    runs.complete("msg_1", runs.start("msg_1", lease_seconds=30).run_id)
    clock.now += 60
    run = runs.job_run("msg_1")
    assert run is not None
    assert run.status == "expired"


def test_ttl_fields_are_timestamps(
    firestore_client: firestore.Client, firestore_prefix: str
) -> None:
    # A TTL policy only acts on a timestamp field (https://cloud.google.com/firestore/docs/ttl).
    store = FirestoreDeliveryStore(
        firestore_client,
        handoff_mark_ttl_seconds=60,
        collection_prefix=firestore_prefix,
        timeout_seconds=CALL_TIMEOUT,
    )
    store.claim_token("jwt_1", NOW)
    store.mark_handed_off("msg_1", "tally")
    for collection, key in (("tokens", "jwt_1"), ("messages", "msg_1")):
        document = firestore_client.collection(firestore_prefix + collection).document(key).get()
        assert isinstance(document.get("expires_at"), datetime)


def test_id_firestore_reserves_is_claimed_once(
    firestore_client: firestore.Client, firestore_prefix: str
) -> None:
    store = FirestoreDeliveryStore(
        firestore_client,
        handoff_mark_ttl_seconds=60,
        collection_prefix=firestore_prefix,
        timeout_seconds=CALL_TIMEOUT,
    )
    for token_id in ("..", "__name__", "a/b"):
        assert store.claim_token(token_id, NOW)
        assert not store.claim_token(token_id, NOW)


def test_reserved_and_plain_ids_never_share_a_document() -> None:
    assert document_id("msg_1") == "msg_1"
    assert document_id("a/b").startswith("~")
    assert document_id("..") != document_id(".")
