"""Shared fixtures: signing keys, in-memory services, the real Mangum handler, a signer."""

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
{%- if cookiecutter.cloud == "aws-lambda" %}
from mangum import Mangum
{%- endif %}
{% if cookiecutter.cloud == "aws-lambda" %}
from {{ cookiecutter.package_name }}.api import create_app
{%- endif %}
from {{ cookiecutter.package_name }}.config import Settings
from {{ cookiecutter.package_name }}.handoff import MemoryHandoff
from {{ cookiecutter.package_name }}.jobs import registry
from {{ cookiecutter.package_name }}.public_url import StaticPublicBaseUrl
from {{ cookiecutter.package_name }}.qstash import SigningKeys
from {{ cookiecutter.package_name }}.qstash.keys import StaticSigningKeySource
from {{ cookiecutter.package_name }}.services import Services
from {{ cookiecutter.package_name }}.store import MemoryDeliveryStore
{%- if cookiecutter.cloud == "aws-lambda" %}
from {{ cookiecutter.package_name }}_devkit.signer import new_signing_key, sign
{%- else %}
from {{ cookiecutter.package_name }}_devkit.signer import new_signing_key
{%- endif %}

{% if cookiecutter.cloud == "aws-lambda" -%}
from .events import FUNCTION_URL_HOST, function_url_event
{%- else -%}
from .events import FUNCTION_URL_HOST
{%- endif %}
from .fake_qstash import FakeQStash, serve_fake_qstash

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


{% if cookiecutter.cloud == "aws-lambda" -%}
@pytest.fixture
def lambda_handler(services: Services) -> Mangum:
    """The real Mangum handler around the app."""
    return Mangum(create_app(services), lifespan="off")


class Invoke:
    """Calls the handler with real Lambda events; returns (status, headers, JSON body)."""

    def __init__(self, handler: Mangum, keys: SigningKeys) -> None:
        self.handler = handler
        self.keys = keys

    def __call__(self, event: dict[str, Any]) -> tuple[int, dict[str, str], Any]:
        response = self.handler(event, None)
        body = response.get("body") or ""
        parsed = json.loads(body) if body else None
        return response["statusCode"], response.get("headers", {}), parsed

    def signed(
        self,
        path: str,
        body: bytes,
        *,
        key: str | None = None,
        url: str | None = None,
        message_id: str = "msg_test_1",
        extra_headers: dict[str, str] | None = None,
        **event_options: Any,
    ) -> tuple[int, dict[str, str], Any]:
        """POST `body` to `path` through a Function URL event, signed like QStash."""
        token = sign(body, url or PUBLIC_BASE_URL + path, key or self.keys.current)
        headers = {
            "upstash-signature": token,
            "upstash-message-id": message_id,
            "upstash-retried": "0",
            **(extra_headers or {}),
        }
        return self(function_url_event(path, body, headers, **event_options))


@pytest.fixture
def invoke(lambda_handler: Mangum, keys: SigningKeys) -> Invoke:
    """Invoke the Mangum handler with signed or hand-made events."""
    return Invoke(lambda_handler, keys)


{% endif -%}
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
