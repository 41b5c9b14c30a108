"""Signature verification as QStash's requests meet it: through the platform's edge.

Public reports (issue 2, "Inputs from public reports") are marked with their number.
"""

import base64
import json
from dataclasses import replace
from typing import Any

import jwt
import pytest
from fastapi import FastAPI, Request

from {{ cookiecutter.package_name }}.api import create_app
from {{ cookiecutter.package_name }}.api.deps import VerifiedDelivery
from {{ cookiecutter.package_name }}.api.routes.callbacks import (
    CALLBACK_PATH,
    FAILURE_CALLBACK_PATH,
)
from {{ cookiecutter.package_name }}.config import Settings
from {{ cookiecutter.package_name }}.handoff import MemoryHandoff
from {{ cookiecutter.package_name }}.public_url import StaticPublicBaseUrl
from {{ cookiecutter.package_name }}.qstash import SigningKeys
from {{ cookiecutter.package_name }}.qstash.keys import StaticSigningKeySource
from {{ cookiecutter.package_name }}.services import Services
from {{ cookiecutter.package_name }}.store import MemoryDeliveryStore
from {{ cookiecutter.package_name }}_devkit.signer import new_signing_key, sign

from ...conftest import JOB_PATH, PUBLIC_BASE_URL, VALID_PAYLOAD, Invoke
{%- if cookiecutter.cloud == "aws-lambda" %}
from ...events import API_GATEWAY_HOST, api_gateway_v1_event
{%- endif %}

PAYLOAD = json.dumps(VALID_PAYLOAD).encode()
{%- if cookiecutter.cloud == "aws-lambda" %}
API_GATEWAY_BASE_URL = f"https://{API_GATEWAY_HOST}/prod"
{%- endif %}
UNAUTHORIZED = {"error": "invalid or missing Upstash-Signature"}
PROBE_PATH = "/probe"


def nothing_happened(handoff: MemoryHandoff, store: MemoryDeliveryStore) -> bool:
    return not handoff.sent and not store.handed_off and not store.dead_letters()


def invoke_with(services: Services, keys: SigningKeys, app: FastAPI | None = None) -> Invoke:
    return Invoke(app or create_app(services), keys)


def probe_app(services: Services) -> FastAPI:
    """The real app plus a route at `/` and `/probe` that echoes what verification let through.

    The production app has no route at the root, and its job route cannot show which bytes
    were hashed; adding a test-only route keeps production code free of test hooks.
    """
    app = create_app(services)

    @app.post("/")
    @app.post(PROBE_PATH)
    def probe(delivery: VerifiedDelivery, request: Request) -> dict[str, Any]:
        return {
            "body": base64.b64encode(delivery.body).decode(),
            "subject": delivery.claims.subject,
            "scheme": request.url.scheme,
            "path": request.url.path,
        }

    return app


@pytest.fixture
def probe(services: Services, keys: SigningKeys) -> Invoke:
    """Invoke the probe app behind the test Function URL."""
    return invoke_with(services, keys, probe_app(services))
{%- if cookiecutter.cloud == "aws-lambda" %}


@pytest.fixture
def api_gateway_services(services: Services) -> Services:
    """Services for an API Gateway REST API whose stage is `prod`."""
    settings = Settings(public_base_url=API_GATEWAY_BASE_URL, environment="production")
    return replace(
        services, settings=settings, public_base_url=StaticPublicBaseUrl(API_GATEWAY_BASE_URL)
    )


def api_gateway_request(
    path: str, body: bytes, token: str, *, header: str = "Upstash-Signature"
) -> dict[str, Any]:
    headers = {header: token, "Upstash-Message-Id": "msg_apigw_1", "Upstash-Retried": "0"}
    return api_gateway_v1_event(path, body, headers)
{%- endif %}


# --- the header -------------------------------------------------------------------------


def test_missing_signature_header_is_401_and_nothing_is_handed_off(
    invoke: Invoke, handoff: MemoryHandoff, store: MemoryDeliveryStore
) -> None:
    status, _, body = invoke.request(JOB_PATH, PAYLOAD, {"upstash-message-id": "msg_1"})
    assert (status, body) == (401, UNAUTHORIZED)
    assert nothing_happened(handoff, store)


{% if cookiecutter.cloud == "aws-lambda" -%}
@pytest.mark.parametrize("header", ["Upstash-Signature", "UPSTASH-SIGNATURE"])
def test_signature_header_is_found_whatever_its_case(
    api_gateway_services: Services, keys: SigningKeys, handoff: MemoryHandoff, header: str
) -> None:
    # API Gateway v1 events keep the sender's header case; Function URL events lower-case it.
    token = sign(PAYLOAD, API_GATEWAY_BASE_URL + JOB_PATH, keys.current)
    invoke = invoke_with(api_gateway_services, keys)
    status, _, body = invoke(api_gateway_request(JOB_PATH, PAYLOAD, token, header=header))
    assert status == 202, body
    assert len(handoff.sent) == 1


{% endif -%}
def test_bad_signature_is_401_with_a_json_error_and_no_side_effect(
    invoke: Invoke, handoff: MemoryHandoff, store: MemoryDeliveryStore
) -> None:
    token = sign(PAYLOAD, PUBLIC_BASE_URL + JOB_PATH, new_signing_key())
    headers = {"upstash-signature": token, "upstash-message-id": "msg_1"}
    status, answer_headers, body = invoke.request(JOB_PATH, PAYLOAD, headers)
    assert (status, answer_headers["content-type"]) == (401, "application/json")
    assert body == UNAUTHORIZED  # the reason only: no traceback, nothing about the keys
    assert nothing_happened(handoff, store)


def test_token_replayed_with_a_new_message_id_is_rejected(
    invoke: Invoke, handoff: MemoryHandoff
) -> None:
    # The message id header is not signed: a captured token must not queue the job again.
    token = sign(PAYLOAD, PUBLIC_BASE_URL + JOB_PATH, invoke.keys.current)
    answers = [
        invoke.request(
            JOB_PATH, PAYLOAD, {"upstash-signature": token, "upstash-message-id": message_id}
        )
        for message_id in ("msg_original", "msg_replay_1", "msg_replay_2")
    ]
    assert [status for status, _, _ in answers] == [202, 401, 401]
    assert [envelope.message_id for envelope in handoff.sent] == ["msg_original"]


def test_retry_with_a_fresh_token_is_not_a_replay(invoke: Invoke, handoff: MemoryHandoff) -> None:
    first = invoke.signed(JOB_PATH, PAYLOAD, message_id="msg_retry")
    second = invoke.signed(JOB_PATH, PAYLOAD, message_id="msg_retry")
    assert (first[0], second[0]) == (202, 200)
    assert len(handoff.sent) == 1


def test_token_without_jti_is_rejected(invoke: Invoke, handoff: MemoryHandoff) -> None:
    token = sign(PAYLOAD, PUBLIC_BASE_URL + JOB_PATH, invoke.keys.current, jti=None)
    headers = {"upstash-signature": token, "upstash-message-id": "msg_1"}
    assert invoke.request(JOB_PATH, PAYLOAD, headers)[0] == 401
    assert handoff.sent == []


# --- fail closed ------------------------------------------------------------------------


def test_unavailable_signing_keys_answer_503_with_no_side_effect(
    services: Services, keys: SigningKeys, handoff: MemoryHandoff, store: MemoryDeliveryStore
) -> None:
    invoke = invoke_with(replace(services, signing_keys=StaticSigningKeySource(None)), keys)
    status, _, body = invoke.signed(JOB_PATH, PAYLOAD)
    assert (status, body) == (503, {"error": "receiver is not configured"})
    assert nothing_happened(handoff, store)


DEV_SERVER_KEYS = SigningKeys(
    current="sig_7kYjw48mhY7kAjqNGcy6cr29RJ6r", next="sig_5ZB6DVzB1wjE8S6rZ7eenA8Pdnhs"
)


def test_public_dev_server_keys_answer_503_in_production_with_no_side_effect(
    services: Services, handoff: MemoryHandoff, store: MemoryDeliveryStore
) -> None:
    # Settings refuse these keys from environment variables; a source that hands them over
    # anyway (a secret, a static pair) must be refused too.
    public = replace(services, signing_keys=StaticSigningKeySource(DEV_SERVER_KEYS))
    status, _, body = invoke_with(public, DEV_SERVER_KEYS).signed(JOB_PATH, PAYLOAD)
    assert (status, body) == (503, {"error": "receiver is not configured"})
    assert nothing_happened(handoff, store)
    assert not store.tokens


def test_public_key_refusal_is_logged_saying_why_without_the_key(
    services: Services, error_log: pytest.LogCaptureFixture
) -> None:
    public = replace(services, signing_keys=StaticSigningKeySource(DEV_SERVER_KEYS))
    invoke_with(public, DEV_SERVER_KEYS).signed(JOB_PATH, PAYLOAD)
    [record] = error_log.records
    assert "signing key is public" in record.getMessage()
    logged = f"{record.getMessage()} {record.__dict__}"
    assert DEV_SERVER_KEYS.current not in logged
    assert DEV_SERVER_KEYS.next not in logged


def test_public_dev_server_keys_verify_in_development(
    services: Services, handoff: MemoryHandoff
) -> None:
    development = replace(
        services,
        settings=Settings(public_base_url=PUBLIC_BASE_URL, environment="development"),
        signing_keys=StaticSigningKeySource(DEV_SERVER_KEYS),
    )
    status, _, body = invoke_with(development, DEV_SERVER_KEYS).signed(JOB_PATH, PAYLOAD)
    assert status == 202, body
    assert len(handoff.sent) == 1


def test_unset_public_base_url_answers_503_with_no_side_effect(
    services: Services, keys: SigningKeys, handoff: MemoryHandoff, store: MemoryDeliveryStore
) -> None:
    settings = Settings(public_base_url=None, environment="production")
    unset = replace(services, settings=settings, public_base_url=StaticPublicBaseUrl(None))
    status, _, body = invoke_with(unset, keys).signed(JOB_PATH, PAYLOAD)
    assert (status, body) == (503, {"error": "receiver is not configured"})
    assert nothing_happened(handoff, store)
    assert not store.tokens  # the token is not used up: QStash's retry can verify


@pytest.mark.parametrize("path", [CALLBACK_PATH, FAILURE_CALLBACK_PATH])
def test_unsigned_callback_is_401_and_nothing_is_stored(
    invoke: Invoke, store: MemoryDeliveryStore, path: str
) -> None:
    callback = {"status": 200, "sourceMessageId": "msg_source", "dlqId": "1725323658779-0"}
    status, _, body = invoke.request(
        path, json.dumps(callback).encode(), {"upstash-message-id": "msg_cb"}
    )
    assert (status, body) == (401, UNAUTHORIZED)
    assert not store.outcomes("msg_source")
    assert not store.dead_letters()


def test_health_answers_200_without_keys_or_public_base_url(
    services: Services, keys: SigningKeys
) -> None:
    unconfigured = replace(
        services,
        settings=Settings(environment="production"),
        signing_keys=StaticSigningKeySource(None),
        public_base_url=StaticPublicBaseUrl(None),
    )
    status, _, body = invoke_with(unconfigured, keys).request("/health", method="GET")
    assert (status, body) == (200, {"status": "ok"})


# --- which URL was signed (public reports #1-#4) ----------------------------------------


# Public report #1: QStash signed the bare Function URL; Lambda's rawPath is "/".
def test_function_url_root_signed_without_trailing_slash_is_accepted(probe: Invoke) -> None:
    status, _, body = probe.signed("/", PAYLOAD, url=PUBLIC_BASE_URL)
    assert status == 200, body
    assert body["subject"] == PUBLIC_BASE_URL


# Public report #2: the signed URL has the route's path; the domain alone is not it.
def test_path_route_signed_with_its_full_url_is_accepted(
    invoke: Invoke, handoff: MemoryHandoff
) -> None:
    status, _, body = invoke.signed(JOB_PATH, PAYLOAD, url=PUBLIC_BASE_URL + JOB_PATH)
    assert status == 202, body
    assert len(handoff.sent) == 1


def test_path_route_token_whose_subject_is_the_domain_only_is_rejected(
    invoke: Invoke, handoff: MemoryHandoff, store: MemoryDeliveryStore
) -> None:
    status, _, body = invoke.signed(JOB_PATH, PAYLOAD, url=PUBLIC_BASE_URL)
    assert (status, body) == (401, UNAUTHORIZED)
    assert nothing_happened(handoff, store)


{% if cookiecutter.cloud == "aws-lambda" -%}
# Public report #3: API Gateway REST signs the URL with the stage; Mangum strips the stage.
def test_api_gateway_stage_url_is_accepted(
    api_gateway_services: Services, keys: SigningKeys
) -> None:
    token = sign(PAYLOAD, API_GATEWAY_BASE_URL + PROBE_PATH, keys.current)
    invoke = invoke_with(api_gateway_services, keys, probe_app(api_gateway_services))
    status, _, body = invoke(api_gateway_request(PROBE_PATH, PAYLOAD, token))
    assert status == 200, body
    assert body["path"] == PROBE_PATH  # the app never sees "/prod"


def test_api_gateway_token_signed_without_the_stage_is_rejected(
    api_gateway_services: Services, keys: SigningKeys
) -> None:
    token = sign(PAYLOAD, f"https://{API_GATEWAY_HOST}{JOB_PATH}", keys.current)
    invoke = invoke_with(api_gateway_services, keys)
    status, _, body = invoke(api_gateway_request(JOB_PATH, PAYLOAD, token))
    assert (status, body) == (401, UNAUTHORIZED)


{% endif -%}
# Public report #4: a TLS-terminating proxy forwards the request as http.
def test_request_forwarded_as_http_while_signed_as_https_is_accepted(probe: Invoke) -> None:
    status, _, body = probe.signed(
        PROBE_PATH, PAYLOAD, extra_headers={"x-forwarded-proto": "http", "x-forwarded-port": "80"}
    )
    assert status == 200, body
    assert body["scheme"] == "http"  # what the app sees differs from what QStash signed


def test_query_string_is_part_of_the_signed_url(probe: Invoke) -> None:
    # Not documented by QStash (protocol notes 1.4): we assume `sub` is the full destination.
    status, _, body = probe.signed(
        PROBE_PATH, PAYLOAD, url=f"{PUBLIC_BASE_URL}{PROBE_PATH}?tenant=a", query="tenant=a"
    )
    assert status == 200, body


# --- which bytes were hashed (public reports #5, #6) -------------------------------------


{% if cookiecutter.cloud == "aws-lambda" -%}
# Public report #5: a binary body reaches Lambda base64-encoded; QStash hashed the bytes.
def test_base64_encoded_event_body_is_verified_over_the_decoded_bytes(probe: Invoke) -> None:
    event_options: dict[str, Any] = {
        "base64_body": True,
        "extra_headers": {"content-type": "application/octet-stream"},
    }
    status, _, body = probe.signed(PROBE_PATH, b"hello", **event_options)
    assert status == 200, body
    assert base64.b64decode(body["body"]) == b"hello"


def test_token_over_the_base64_text_of_the_event_body_is_rejected(
    probe: Invoke, keys: SigningKeys
) -> None:
    token = sign(b"aGVsbG8=", PUBLIC_BASE_URL + PROBE_PATH, keys.current)
    headers = {"upstash-signature": token, "content-type": "application/octet-stream"}
    status, _, body = probe.request(PROBE_PATH, b"hello", headers, base64_body=True)
    assert (status, body) == (401, UNAUTHORIZED)


{% endif -%}
# Public report #6: the docs' curl example body has spaces; it must verify byte for byte.
def test_json_body_with_spaces_is_accepted(probe: Invoke, keys: SigningKeys) -> None:
    spaced = b'{ "hello": "world" }'
    token = sign(spaced, PUBLIC_BASE_URL + PROBE_PATH, keys.current)
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["body"] == "5hAiS5m_HigGV8-1dStqZj1zk1LfoegovJ0bx4Njoqs="
    status, _, body = probe.request(PROBE_PATH, spaced, {"upstash-signature": token})
    assert status == 200, body
    assert base64.b64decode(body["body"]) == spaced
