"""Shared fixtures: signing keys, in-memory services, the app behind its edge, a signer."""

{% if cookiecutter.cloud == "gcp-cloud-functions" -%}
import asyncio
{% endif -%}
import json
from collections.abc import Callable, Iterator
from typing import Any

{% if cookiecutter.cloud == "gcp-cloud-functions" -%}
import httpx
{% endif -%}
import pytest
from fastapi import FastAPI
{%- if cookiecutter.cloud == "aws-lambda" %}
from mangum import Mangum
{%- endif %}

from {{ cookiecutter.package_name }}.api import create_app
from {{ cookiecutter.package_name }}.config import Settings
from {{ cookiecutter.package_name }}.handoff import MemoryHandoff
from {{ cookiecutter.package_name }}.jobs import registry
from {{ cookiecutter.package_name }}.public_url import StaticPublicBaseUrl
from {{ cookiecutter.package_name }}.qstash import SigningKeys
from {{ cookiecutter.package_name }}.qstash.keys import StaticSigningKeySource
from {{ cookiecutter.package_name }}.services import Services
from {{ cookiecutter.package_name }}.store import MemoryDeliveryStore
from {{ cookiecutter.package_name }}_devkit.signer import new_signing_key, sign

{% if cookiecutter.cloud == "aws-lambda" -%}
from .events import FUNCTION_URL_HOST, function_url_event
{% endif -%}
from .fake_qstash import FakeQStash, serve_fake_qstash

{% if cookiecutter.cloud == "gcp-cloud-functions" -%}
# The function's host in tests: QStash signs `https://<host>/<route>` (no function path here).
FUNCTION_URL_HOST = "{{ cookiecutter.gcp_region }}-jobs-test.cloudfunctions.net"
{% endif -%}
PUBLIC_BASE_URL = f"https://{FUNCTION_URL_HOST}"
JOB_PATH = "/qstash/jobs/send-welcome-email"
VALID_PAYLOAD = {"user_id": "u-1", "email": "ada@example.com"}


@pytest.fixture(autouse=True)
def fake_aws_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Never reach AWS: fake credentials and a region, whatever the developer's shell has."""
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")


@pytest.fixture(autouse=True)
def clean_settings_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings come from the test, never from the shell (e.g. an exported dev-server key)."""
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)


@pytest.fixture
def keys() -> SigningKeys:
    """A fresh current/next key pair."""
    return SigningKeys(current=new_signing_key(), next=new_signing_key())


@pytest.fixture
def settings() -> Settings:
    """Production settings for the test Function URL."""
    return Settings(public_base_url=PUBLIC_BASE_URL, environment="production")


@pytest.fixture
def handoff() -> MemoryHandoff:
    """An in-memory hand-off that records what was sent."""
    return MemoryHandoff()


@pytest.fixture
def store() -> MemoryDeliveryStore:
    """An in-memory delivery store."""
    return MemoryDeliveryStore()


@pytest.fixture
def services(
    settings: Settings, keys: SigningKeys, handoff: MemoryHandoff, store: MemoryDeliveryStore
) -> Services:
    """Services wired from in-memory parts."""
    return Services(
        settings=settings,
        signing_keys=StaticSigningKeySource(keys),
        public_base_url=StaticPublicBaseUrl(settings.public_base_url),
        registry=registry,
        handoff=handoff,
        store=store,
    )


#: What a request answers: status, headers (lower-case names), JSON body (None when empty).
Answer = tuple[int, dict[str, str], Any]


class Invoke:
{%- if cookiecutter.cloud == "aws-lambda" %}
    """Sends requests to an app through the real Mangum handler, as Lambda Function URL events."""

    def __init__(self, app: FastAPI, keys: SigningKeys) -> None:
        self.handler = Mangum(app, lifespan="off")
        self.keys = keys

    def __call__(self, event: dict[str, Any]) -> Answer:
        """Invoke the handler with a hand-made event."""
        response = self.handler(event, None)
        body = response.get("body") or ""
        parsed = json.loads(body) if body else None
        return response["statusCode"], response.get("headers", {}), parsed

    def request(
        self,
        path: str,
        body: bytes = b"",
        headers: dict[str, str] | None = None,
        *,
        method: str = "POST",
        **event_options: Any,
    ) -> Answer:
        """Send `body` to `path` (options of `function_url_event`: base64_body, query)."""
        event = function_url_event(path, body, headers or {}, **event_options)
        event["requestContext"]["http"]["method"] = method
        return self(event)
{%- else %}
    """Sends requests to an app in process over ASGI (httpx), one at a time.

    Requests arrive over plain http at the public host, as a deployed function gets them
    (TLS ends in front of it).
    """

    def __init__(self, app: FastAPI, keys: SigningKeys) -> None:
        self.app = app
        self.keys = keys

    def request(
        self,
        path: str,
        body: bytes = b"",
        headers: dict[str, str] | None = None,
        *,
        method: str = "POST",
        query: str = "",
    ) -> Answer:
        """Send `body` to `path` (and `?query` when given) with `headers`."""
        url = f"{path}?{query}" if query else path
        response = asyncio.run(self._send(method, url, body, headers or {}))
        parsed = response.json() if response.content else None
        return response.status_code, dict(response.headers), parsed

    async def _send(
        self, method: str, url: str, body: bytes, headers: dict[str, str]
    ) -> httpx.Response:
        transport = httpx.ASGITransport(app=self.app)
        async with httpx.AsyncClient(
            transport=transport, base_url=f"http://{FUNCTION_URL_HOST}"
        ) as client:
            return await client.request(method, url, content=body, headers=headers)
{%- endif %}

    def signed(
        self,
        path: str,
        body: bytes,
        *,
        key: str | None = None,
        url: str | None = None,
        message_id: str = "msg_test_1",
        extra_headers: dict[str, str] | None = None,
        **options: Any,
    ) -> Answer:
        """POST `body` to `path`, signed like QStash for `url` (default: the public URL)."""
        token = sign(body, url or PUBLIC_BASE_URL + path, key or self.keys.current)
        headers = {
            "upstash-signature": token,
            "upstash-message-id": message_id,
            "upstash-retried": "0",
            **(extra_headers or {}),
        }
        return self.request(path, body, headers, **options)


@pytest.fixture
def invoke(services: Services, keys: SigningKeys) -> Invoke:
    """The app on in-memory services, behind its platform's edge."""
    return Invoke(create_app(services), keys)


@pytest.fixture
def payload_bytes() -> Callable[[dict[str, Any]], bytes]:
    """Serialise a payload the way a publisher would."""
    return lambda payload: json.dumps(payload).encode()


@pytest.fixture(scope="session")
def fake_qstash_server() -> Iterator[FakeQStash]:
    """One recording stand-in for QStash's REST API on 127.0.0.1 for the whole session."""
    with serve_fake_qstash() as fake:
        yield fake


@pytest.fixture
def fake(fake_qstash_server: FakeQStash) -> FakeQStash:
    """The recording QStash stand-in, with no requests or scripted answers left over."""
    fake_qstash_server.reset()
    return fake_qstash_server
