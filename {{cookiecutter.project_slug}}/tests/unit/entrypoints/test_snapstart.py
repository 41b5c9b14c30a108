"""SnapStart runtime hooks of the ingest entry point, called the way the runtime calls them.

`snapshot_restore_py` ships with Lambda's managed runtime only, so a stand-in module records
what the entry point registers; the tests then run those hooks and look at their effects.
Hooks that must not touch the network run against a local endpoint that counts connections.
"""

import importlib
import json
import random
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import ModuleType
from typing import Any

import boto3
import pytest

from {{ cookiecutter.package_name }}.aws.clients import (
    close_connections,
    dynamodb_client,
    secretsmanager_client,
    sqs_client,
    ssm_client,
)
from {{ cookiecutter.package_name }}.config import get_settings
from {{ cookiecutter.package_name }}.qstash import SigningKeys
from {{ cookiecutter.package_name }}_devkit.aws_resources import LocalResources
from {{ cookiecutter.package_name }}_devkit.signer import new_signing_key, sign
from {{ cookiecutter.package_name }}_devkit.sqs import receive_all

from ...conftest import PUBLIC_BASE_URL
from ...events import function_url_event

Hook = tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]
PARAMETER = "/test-stack/public-base-url"
JOB_PATH = "/qstash/jobs/tally"


@dataclass
class RuntimeHooks:
    """Stands in for `snapshot_restore_py`: records the hooks registered with it."""

    before_snapshot: list[Hook] = field(default_factory=list)
    after_restore: list[Hook] = field(default_factory=list)

    def module(self) -> ModuleType:
        module = ModuleType("snapshot_restore_py")
        module.register_before_snapshot = self._recorder(self.before_snapshot)
        module.register_after_restore = self._recorder(self.after_restore)
        return module

    @staticmethod
    def _recorder(hooks: list[Hook]) -> Callable[..., Any]:
        def register(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Callable[..., Any]:
            hooks.append((func, args, kwargs))
            return func

        return register

    def snapshot(self) -> None:
        """Run the before-snapshot hooks as the runtime does (last registered first)."""
        for func, args, kwargs in reversed(self.before_snapshot):
            func(*args, **kwargs)

    def restore(self) -> None:
        """Run the after-restore hooks as the runtime does (in registration order)."""
        for func, args, kwargs in self.after_restore:
            func(*args, **kwargs)


@pytest.fixture
def hooks(monkeypatch: pytest.MonkeyPatch) -> RuntimeHooks:
    """Lambda initialising a version for a snapshot, with the hooks module recording."""
    recorded = RuntimeHooks()
    monkeypatch.setitem(sys.modules, "snapshot_restore_py", recorded.module())
    monkeypatch.setenv("AWS_LAMBDA_INITIALIZATION_TYPE", "snap-start")
    return recorded


class CountingEndpoint(ThreadingHTTPServer):
    """An AWS endpoint on 127.0.0.1 that answers every JSON-protocol call `{}`.

    Attributes:
        connections: TCP connections accepted so far.
    """

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _AnswerEmptyJson)
        self.connections = 0
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def count_connection(self) -> None:
        with self._lock:
            self.connections += 1


class _AnswerEmptyJson(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, so a pooled connection is reused
    server: CountingEndpoint

    def setup(self) -> None:
        super().setup()
        self.server.count_connection()

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length", 0)))
        self.send_response(200)
        self.send_header("content-type", "application/x-amz-json-1.0")
        self.send_header("content-length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, format: str, *args: Any) -> None:
        pass


def _clear_caches() -> None:
    close_connections()
    for factory in (sqs_client, dynamodb_client, ssm_client, secretsmanager_client):
        factory.cache_clear()
    get_settings.cache_clear()


@pytest.fixture
def endpoint(monkeypatch: pytest.MonkeyPatch) -> Iterator[CountingEndpoint]:
    """Every AWS client of the entry point talks to a counting endpoint (no moto)."""
    server = CountingEndpoint()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    environment = {
        "AWS_ENDPOINT_URL": server.url,
        "JOBS_QUEUE_URL": f"{server.url}/123456789012/jobs",
        "APP_TABLE_NAME": "deliveries",
        "QSTASH_SIGNING_KEYS_SECRET_ARN": "arn:aws:secretsmanager:us-east-1:1:secret:keys",
        "PUBLIC_BASE_URL_PARAMETER": PARAMETER,
    }
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    _clear_caches()
    yield server
    _clear_caches()
    server.shutdown()
    server.server_close()


def load_ingest() -> ModuleType:
    """Import (or re-import) the ingest entry point, as a fresh Lambda init would."""
    module = importlib.import_module(
        "{{ cookiecutter.package_name }}.entrypoints.lambda_ingest",
    )
    return importlib.reload(module)


# --- registration ------------------------------------------------------------------------


@pytest.mark.parametrize("initialization", [None, "on-demand", "provisioned-concurrency"])
def test_no_hook_is_registered_outside_snap_start(
    hooks: RuntimeHooks,
    endpoint: CountingEndpoint,
    monkeypatch: pytest.MonkeyPatch,
    initialization: str | None,
) -> None:
    if initialization is None:
        monkeypatch.delenv("AWS_LAMBDA_INITIALIZATION_TYPE")
    else:
        monkeypatch.setenv("AWS_LAMBDA_INITIALIZATION_TYPE", initialization)
    load_ingest()
    assert (hooks.before_snapshot, hooks.after_restore) == ([], [])


def test_one_hook_of_each_kind_is_registered_under_snap_start(
    hooks: RuntimeHooks, endpoint: CountingEndpoint
) -> None:
    load_ingest()
    assert (len(hooks.before_snapshot), len(hooks.after_restore)) == (1, 1)


def test_entry_point_loads_without_snapshot_restore_py(
    endpoint: CountingEndpoint, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_LAMBDA_INITIALIZATION_TYPE", "snap-start")
    monkeypatch.setitem(sys.modules, "snapshot_restore_py", None)  # import raises ImportError
    ingest = load_ingest()
    event = function_url_event("/health", b"", {})
    event["requestContext"]["http"]["method"] = "GET"
    assert ingest.handler(event, None)["statusCode"] == 200


# --- before the snapshot -----------------------------------------------------------------


def test_before_snapshot_builds_the_request_path(
    hooks: RuntimeHooks, endpoint: CountingEndpoint
) -> None:
    ingest = load_ingest()
    assert ingest.app.middleware_stack is None  # Starlette builds it on the first request
    hooks.snapshot()
    assert ingest.app.middleware_stack is not None


def test_before_snapshot_makes_no_network_call(
    hooks: RuntimeHooks, endpoint: CountingEndpoint
) -> None:
    # On the first deploy neither the parameter nor the secret's values exist yet.
    load_ingest()
    hooks.snapshot()
    assert endpoint.connections == 0


# --- after a restore -----------------------------------------------------------------------


def test_after_restore_reseeds_the_random_generator(
    hooks: RuntimeHooks, endpoint: CountingEndpoint
) -> None:
    load_ingest()
    random.seed(1)
    at_snapshot = random.getstate()
    hooks.restore()
    assert random.getstate() != at_snapshot


def test_after_restore_makes_no_network_call(
    hooks: RuntimeHooks, endpoint: CountingEndpoint
) -> None:
    load_ingest()
    hooks.snapshot()
    hooks.restore()
    assert endpoint.connections == 0


def test_after_restore_closes_pooled_connections(
    hooks: RuntimeHooks, endpoint: CountingEndpoint
) -> None:
    load_ingest()
    dynamodb_client().list_tables()
    dynamodb_client().list_tables()
    assert endpoint.connections == 1  # the pool keeps the connection
    hooks.restore()
    dynamodb_client().list_tables()
    assert endpoint.connections == 2


# --- after a restore, end to end (moto) ----------------------------------------------------


def deliver(ingest: ModuleType, key: str, base_url: str, message_id: str) -> int:
    body = json.dumps({"label": message_id}).encode()
    token = sign(body, base_url + JOB_PATH, key)
    headers = {"upstash-signature": token, "upstash-message-id": message_id}
    response: dict[str, Any] = ingest.handler(function_url_event(JOB_PATH, body, headers), None)
    return int(response["statusCode"])


@pytest.fixture
def snapstart_ingest(
    aws: LocalResources,
    hooks: RuntimeHooks,
    load_entrypoint: Callable[[str], ModuleType],
    monkeypatch: pytest.MonkeyPatch,
) -> ModuleType:
    """The deployed ingest function (moto), its URL in the parameter, under SnapStart."""
    monkeypatch.delenv("PUBLIC_BASE_URL")
    monkeypatch.setenv("PUBLIC_BASE_URL_PARAMETER", PARAMETER)
    boto3.client("ssm").put_parameter(Name=PARAMETER, Value=PUBLIC_BASE_URL, Type="String")
    return load_entrypoint("lambda_ingest")


def test_delivery_after_snapshot_and_restore_is_handed_off(
    snapstart_ingest: ModuleType, hooks: RuntimeHooks, aws: LocalResources, keys: SigningKeys
) -> None:
    hooks.snapshot()
    hooks.restore()
    assert deliver(snapstart_ingest, keys.current, PUBLIC_BASE_URL, "msg_restored") == 202
    assert len(receive_all(aws.jobs_queue_url)) == 1


def test_after_restore_the_public_base_url_is_read_again(
    snapstart_ingest: ModuleType, hooks: RuntimeHooks, keys: SigningKeys
) -> None:
    assert deliver(snapstart_ingest, keys.current, PUBLIC_BASE_URL, "msg_before") == 202
    moved = "https://jobs.example.com"
    boto3.client("ssm").put_parameter(Name=PARAMETER, Value=moved, Overwrite=True, Type="String")
    assert deliver(snapstart_ingest, keys.current, moved, "msg_cached") == 401  # still cached
    hooks.restore()
    assert deliver(snapstart_ingest, keys.current, moved, "msg_after") == 202


def test_after_restore_the_signing_keys_are_read_again(
    snapstart_ingest: ModuleType, hooks: RuntimeHooks, aws: LocalResources, keys: SigningKeys
) -> None:
    assert deliver(snapstart_ingest, keys.current, PUBLIC_BASE_URL, "msg_before") == 202
    rolled = SigningKeys(current=new_signing_key(), next=new_signing_key())
    boto3.client("secretsmanager").put_secret_value(
        SecretId=aws.signing_keys_secret_arn,
        SecretString=json.dumps(
            {"QSTASH_CURRENT_SIGNING_KEY": rolled.current, "QSTASH_NEXT_SIGNING_KEY": rolled.next}
        ),
    )
    assert deliver(snapstart_ingest, rolled.current, PUBLIC_BASE_URL, "msg_cached") == 401
    hooks.restore()
    assert deliver(snapstart_ingest, rolled.current, PUBLIC_BASE_URL, "msg_after") == 202
