"""The Firestore emulator for the unit tests (Google Cloud): one per session, started for real.

Every test gets collections of its own (`firestore_prefix`), so tests never see each other's
documents and nothing needs clearing between them.
"""

import os
import uuid
from collections.abc import Iterator

import pytest
from google.cloud import firestore

from {{ cookiecutter.package_name }}_devkit.firestore_emulator import (
    FirestoreEmulator,
    firestore_emulator,
)

PROJECT = "demo-qstash-unit-tests"


@pytest.fixture(scope="session")
def emulator() -> Iterator[FirestoreEmulator]:
    """The real Firestore emulator on a free port of 127.0.0.1; the client library is pointed
    at it through FIRESTORE_EMULATOR_HOST for the whole session."""
    with firestore_emulator(PROJECT) as running:
        previous = os.environ.get("FIRESTORE_EMULATOR_HOST")
        os.environ["FIRESTORE_EMULATOR_HOST"] = running.host_port
        try:
            yield running
        finally:
            if previous is None:
                os.environ.pop("FIRESTORE_EMULATOR_HOST", None)
            else:
                os.environ["FIRESTORE_EMULATOR_HOST"] = previous


@pytest.fixture(scope="session")
def firestore_client(emulator: FirestoreEmulator) -> firestore.Client:
    """A client of the emulator's default database."""
    return firestore.Client(project=emulator.project)


@pytest.fixture
def firestore_prefix() -> str:
    """A collection prefix of the test's own."""
    return f"t{uuid.uuid4().hex[:12]}_"
