"""The stores every contract test runs against: in memory{% if cookiecutter.cloud == "gcp-cloud-functions" %}, and Firestore on the real emulator{% endif %}."""

from dataclasses import dataclass

import pytest

from {{ cookiecutter.package_name }}.store import (
    DeliveryStore,
    JobRunLedger,
    MemoryDeliveryStore,
    MemoryJobRuns,
)
{%- if cookiecutter.cloud == "gcp-cloud-functions" %}
from {{ cookiecutter.package_name }}.store.firestore import (
    FirestoreDeliveryStore,
    FirestoreJobRuns,
)
from {{ cookiecutter.package_name }}_devkit.firestore_emulator import CALL_TIMEOUT
{%- endif %}

EXPIRY_SECONDS = 3600
BACKENDS = ["memory"{% if cookiecutter.cloud == "gcp-cloud-functions" %}, "firestore"{% endif %}]


@dataclass
class Clock:
    """Unix seconds the test sets; the stores read it, so no test waits on real time."""

    now: float = 1_767_225_600.0  # 2026-01-01T00:00:00Z

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture(params=BACKENDS)
def delivery_store(request: pytest.FixtureRequest, clock: Clock) -> DeliveryStore:
{%- if cookiecutter.cloud == "gcp-cloud-functions" %}
    if request.param == "firestore":
        return FirestoreDeliveryStore(
            request.getfixturevalue("firestore_client"),
            handoff_mark_ttl_seconds=EXPIRY_SECONDS,
            collection_prefix=request.getfixturevalue("firestore_prefix"),
            timeout_seconds=CALL_TIMEOUT,
            clock=clock,
        )
{%- endif %}
    return MemoryDeliveryStore(clock=clock)


@pytest.fixture(params=BACKENDS)
def job_runs(request: pytest.FixtureRequest, clock: Clock) -> JobRunLedger:
{%- if cookiecutter.cloud == "gcp-cloud-functions" %}
    if request.param == "firestore":
        return FirestoreJobRuns(
            request.getfixturevalue("firestore_client"),
            expiry_seconds=EXPIRY_SECONDS,
            collection_prefix=request.getfixturevalue("firestore_prefix"),
            timeout_seconds=CALL_TIMEOUT,
            clock=clock,
        )
{%- endif %}
    return MemoryJobRuns(clock=clock, expiry_seconds=EXPIRY_SECONDS)
