"""The Cloud Functions app in process: functions-framework's ASGI app around `gcp_main.handler`.

The app is built from the environment as a deployed function builds it: Firestore on the real
emulator, QStash the recording stand-in (`fake_qstash`), which accepts publishes and delivers
nothing, so no request leaves 127.0.0.1.
"""

import asyncio
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from functions_framework.aio import create_asgi_app
from google.cloud import firestore
from pydantic import BaseModel
from starlette.types import ASGIApp

from {{ cookiecutter.package_name }} import entrypoints
from {{ cookiecutter.package_name }}.config import get_settings
from {{ cookiecutter.package_name }}.jobs import JobContext, job
from {{ cookiecutter.package_name }}.qstash import SigningKeys
from {{ cookiecutter.package_name }}.store.firestore import (
    FirestoreDeliveryStore,
    FirestoreJobRuns,
)
from {{ cookiecutter.package_name }}_devkit.firestore_emulator import (
    CALL_TIMEOUT,
    FirestoreEmulator,
)
from {{ cookiecutter.package_name }}_devkit.signer import sign

from ...fake_qstash import TOKEN, FakeQStash

REGION_HOST = "europe-west1-demo-qstash.cloudfunctions.net"
FUNCTION_URL = f"https://{REGION_HOST}/jobs-function"
"""What PUBLIC_BASE_URL holds: the function's URL, its name in the path."""
GCP_MAIN = Path(entrypoints.__file__).parent / "gcp_main.py"


class Tally(BaseModel):
    """Payload of the test job `tally`: a label, and whether to fail."""

    label: str
    fail: bool = False


#: Labels the `tally` job ran for, in order: a job that ran twice shows up twice.
TALLY: list[str] = []


@job("tally", payload=Tally)
def tally(payload: Tally, context: JobContext) -> None:
    """Record that the job ran; raise when asked to."""
    if payload.fail:
        raise RuntimeError(f"tally {payload.label} failed on purpose")
    TALLY.append(payload.label)


@pytest.fixture(autouse=True)
def clear_tally() -> None:
    TALLY.clear()


@pytest.fixture
def gcp_environment(
    monkeypatch: pytest.MonkeyPatch,
    emulator: FirestoreEmulator,
    fake: FakeQStash,
    keys: SigningKeys,
    firestore_prefix: str,
) -> Iterator[None]:
    """The variables a deployed function gets (a local QStash URL needs development)."""
    environment = {
        "ENVIRONMENT": "development",
        "PUBLIC_BASE_URL": FUNCTION_URL,
        "QSTASH_URL": fake.base_url,
        "QSTASH_TOKEN": TOKEN,
        "QSTASH_CURRENT_SIGNING_KEY": keys.current,
        "QSTASH_NEXT_SIGNING_KEY": keys.next,
        "GOOGLE_CLOUD_PROJECT": emulator.project,
        "FIRESTORE_COLLECTION_PREFIX": firestore_prefix,
    }
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


class FunctionClient:
    """Sends one request at a time to an ASGI app in process (httpx's ASGI transport).

    Requests arrive over plain http at the function's host, as a deployed function gets
    them (TLS ends in front of it), with the path after the function's name.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    def post(
        self, path: str, *, content: bytes, headers: dict[str, str] | None = None
    ) -> httpx.Response:
        return asyncio.run(self._post(path, content, headers or {}))

    async def _post(self, path: str, content: bytes, headers: dict[str, str]) -> httpx.Response:
        transport = httpx.ASGITransport(app=self.app)
        async with httpx.AsyncClient(
            transport=transport, base_url=f"http://{REGION_HOST}"
        ) as client:
            return await client.post(path, content=content, headers=headers)


@pytest.fixture
def client(gcp_environment: None) -> Iterator[FunctionClient]:
    """functions-framework's own ASGI app serving `gcp_main.handler`."""
    app = create_asgi_app(target="handler", source=str(GCP_MAIN))
    yield FunctionClient(app)
    # functions-framework loaded gcp_main.py as the module `gcp_main`: close its QStash pool.
    sys.modules[GCP_MAIN.stem].app.state.services.handoff.close()


@pytest.fixture
def firestore_store(
    firestore_client: firestore.Client, firestore_prefix: str
) -> FirestoreDeliveryStore:
    """The app's delivery store, read directly."""
    return FirestoreDeliveryStore(
        firestore_client,
        handoff_mark_ttl_seconds=3600,
        collection_prefix=firestore_prefix,
        timeout_seconds=CALL_TIMEOUT,
    )


@pytest.fixture
def firestore_runs(firestore_client: firestore.Client, firestore_prefix: str) -> FirestoreJobRuns:
    """The app's job runs, read directly."""
    return FirestoreJobRuns(
        firestore_client,
        expiry_seconds=3600,
        collection_prefix=firestore_prefix,
        timeout_seconds=CALL_TIMEOUT,
    )


def signed_headers(
    body: bytes, signed_url: str, key: str, message_id: str, **extra: str
) -> dict[str, str]:
    """The headers QStash sends with a delivery of `body` it signed for `signed_url`."""
    return {
        "upstash-signature": sign(body, signed_url, key),
        "upstash-message-id": message_id,
        "upstash-retried": "0",
        "content-type": "application/json",
        **extra,
    }
