"""The built Lambda asset runs on its own: each handler answers with only it and boto3.

The asset is built by the CDK app's own bundler (infra/bundling.py), then every handler is
imported and invoked in a fresh interpreter started with `-I -S` (no site-packages, no
environment paths) whose `sys.path` holds only the asset and a folder with boto3 and its
dependencies, as `/var/task` and the runtime's own folder on Lambda. A module the bundle
forgot, or one only the dev group installs, fails the import here instead of on Lambda.

The asset is built for this machine's architecture (the Lambda one's compiled extensions
cannot load here), with the project's Python version and uv.lock, as the deploy builds it.
AWS is moto server, started by the test on 127.0.0.1; the requests are signed here with the
dev kit's signer, in the test process, with keys the moto secret holds.
"""

import ast
import importlib.util
import json
import platform
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from infra.bundling import UNUSED_PACKAGES, BundleSpec, build_bundle, find_uv, install_wheels
from infra.interpreter import find_python

from {{ cookiecutter.package_name }}.qstash import SigningKeys
from {{ cookiecutter.package_name }}_devkit.aws_resources import (
    LocalResources,
    create_resources,
)
from {{ cookiecutter.package_name }}_devkit.runtime import moto_in_thread
from {{ cookiecutter.package_name }}_devkit.signer import new_signing_key, sign
from {{ cookiecutter.package_name }}_devkit.sqs import sqs_event

from ..events import FUNCTION_URL_HOST, function_url_event, load_event

pytestmark = pytest.mark.slow

PROJECT_DIR = Path(__file__).resolve().parents[2]
PACKAGE = "{{ cookiecutter.package_name }}"
PUBLIC_BASE_URL = f"https://{FUNCTION_URL_HOST}"
JOB_PATH = "/qstash/jobs/send-welcome-email"
# Runs in the fresh interpreter: put the asset and the runtime folder on sys.path, set the
# function's environment, import the handler, invoke it once and print what it returned.
INVOKE = """
import json, os, sys
request = json.load(sys.stdin)
sys.path[:0] = request["path"]
os.environ.update(request["environment"])


class Context:
    function_name = "asset-test"
    function_version = "$LATEST"
    memory_limit_in_mb = 1024
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:asset-test"
    aws_request_id = "asset-test-request"
    log_group_name = "/aws/lambda/asset-test"
    log_stream_name = "asset-test"

    def get_remaining_time_in_millis(self):
        return 60_000


module_name, _, function_name = request["handler"].rpartition(".")
module = __import__(module_name, fromlist=[function_name])
answer = getattr(module, function_name)(request["event"], Context())
print(json.dumps(answer))
"""


# Runs in the fresh interpreter: import every module of Powertools the asset holds, pydantic
# first as the handlers do (utilities.batch imports more when it is), and print the modules
# found missing from the asset. Optional extras never bundled (redis, aws_xray_sdk...) are
# not the bundle's concern here.
IMPORT_EVERY_POWERTOOLS_MODULE = """
import json, pkgutil, sys
sys.path[:0] = json.loads(sys.argv[1])
import pydantic
import aws_lambda_powertools

missing = set()
for found in pkgutil.walk_packages(aws_lambda_powertools.__path__, "aws_lambda_powertools."):
    try:
        __import__(found.name)
    except ModuleNotFoundError as error:
        if (error.name or "").startswith(("aws_lambda_powertools", "pydantic")):
            missing.add(f"{found.name} -> {error.name}")
print(json.dumps(sorted(missing)))
"""
# Imports inside functions of the kept Powertools modules that lead into a left-out package,
# each with why this app never runs it (see UNUSED_PACKAGES in infra/bundling.py).
LAZY_IMPORTS_NEVER_RUN = {
    # pydantic_to_dict: only for a Pydantic model given to Powertools' JSON encoder or as
    # idempotency data; the worker hands it the job envelope, a dataclass.
    "aws_lambda_powertools.shared.functions": "aws_lambda_powertools.event_handler",
}


def host_architecture() -> str:
    """This machine's Lambda architecture name."""
    return "arm64" if platform.machine() in ("aarch64", "arm64") else "x86_64"


def project_python_version() -> str:
    """The Lambda runtime's Python version, as cdk.json records it."""
    cdk_json = json.loads((PROJECT_DIR / "cdk.json").read_text(encoding="utf-8"))
    version: str = cdk_json["context"]["project"]["python_version"]
    return version


@pytest.fixture(scope="module")
def spec() -> BundleSpec:
    return BundleSpec(PROJECT_DIR, PACKAGE, project_python_version(), host_architecture())


@pytest.fixture(scope="module")
def asset(spec: BundleSpec, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What /var/task holds: the bundle, built as `cdk synth` builds it."""
    folder = tmp_path_factory.mktemp("asset")
    build_bundle(spec, folder)
    return folder


@pytest.fixture(scope="module")
def lambda_runtime(spec: BundleSpec, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What the Lambda runtime adds to sys.path: boto3 and its dependencies, as locked."""
    uv = find_uv()
    command = [
        uv, "export", "--frozen", "--only-group", "lambda-runtime", "--no-hashes",
        "--no-emit-project", "--no-header", "--no-annotate", "--format", "requirements.txt",
    ]  # fmt: skip
    exported = subprocess.run(
        command, cwd=PROJECT_DIR, capture_output=True, text=True, check=True
    ).stdout
    requirements = tmp_path_factory.mktemp("runtime-requirements") / "requirements.txt"
    requirements.write_text(exported, encoding="utf-8")
    folder = tmp_path_factory.mktemp("lambda-runtime")
    install_wheels(uv, find_python(spec.python_version), spec, requirements, folder)
    return folder


@pytest.fixture(scope="module")
def keys() -> SigningKeys:
    return SigningKeys(current=new_signing_key(), next=new_signing_key())


@pytest.fixture(scope="module")
def aws(keys: SigningKeys) -> Iterator[tuple[str, LocalResources]]:
    """moto server with the app's queues, tables and secret; its URL and the resources."""
    with pytest.MonkeyPatch.context() as environment, moto_in_thread() as url:
        for name, value in fake_credentials(url).items():
            environment.setenv(name, value)
        yield url, create_resources(keys, prefix="asset")


BOTO3_CREDENTIALS = {
    "aws_access_key_id": "testing",
    "aws_secret_access_key": "testing",
    "region_name": "us-east-1",
}


def fake_credentials(endpoint_url: str) -> dict[str, str]:
    return {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ENDPOINT_URL": endpoint_url,
    }


def invoke(
    asset: Path,
    lambda_runtime: Path,
    spec: BundleSpec,
    handler: str,
    event: dict[str, Any],
    environment: dict[str, str],
) -> dict[str, Any]:
    """Invoke a handler of the asset in a fresh, isolated interpreter; return its answer."""
    request = {
        "path": [str(asset), str(lambda_runtime)],
        "environment": {"ENVIRONMENT": "production", "LOG_LEVEL": "WARNING", **environment},
        "handler": f"{PACKAGE}.entrypoints.{handler}",
        "event": event,
    }
    done = subprocess.run(
        [str(find_python(spec.python_version)), "-I", "-S", "-c", INVOKE],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr
    answer: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    return answer


def aws_client(service: str, aws: tuple[str, LocalResources]) -> Any:
    """A boto3 client of moto server (the tests' own environment names no endpoint)."""
    url, _ = aws
    return boto3.client(service, endpoint_url=url, **BOTO3_CREDENTIALS)


@pytest.fixture(scope="module")
def delivered(
    asset: Path,
    lambda_runtime: Path,
    spec: BundleSpec,
    aws: tuple[str, LocalResources],
    keys: SigningKeys,
) -> dict[str, Any]:
    """The ingest handler's answer to one signed Function URL delivery."""
    url, resources = aws
    body = json.dumps({"user_id": "u-1", "email": "ada@example.com"}).encode()
    headers = {
        "content-type": "application/json",
        "upstash-message-id": "msg_asset_test",
        "upstash-signature": sign(body, PUBLIC_BASE_URL + JOB_PATH, keys.current),
    }
    environment = {
        **fake_credentials(url),
        **resources.environment(),
        "PUBLIC_BASE_URL": PUBLIC_BASE_URL,
    }
    return invoke(
        asset,
        lambda_runtime,
        spec,
        "lambda_ingest.handler",
        function_url_event(JOB_PATH, body, headers),
        environment,
    )


def test_isolated_interpreter_sees_nothing_of_the_dev_environment(
    asset: Path, lambda_runtime: Path, spec: BundleSpec
) -> None:
    # The check of the check: what the dev group installs (moto here) is not importable.
    script = f"import sys; sys.path[:0] = [{str(asset)!r}, {str(lambda_runtime)!r}]; import moto"
    done = subprocess.run(
        [str(find_python(spec.python_version)), "-I", "-S", "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert "ModuleNotFoundError: No module named 'moto'" in done.stderr


def test_ingest_from_the_asset_accepts_a_signed_delivery(delivered: dict[str, Any]) -> None:
    assert delivered["statusCode"] == 202


def test_ingest_from_the_asset_hands_the_job_to_the_queue(
    delivered: dict[str, Any], aws: tuple[str, LocalResources]
) -> None:
    _, resources = aws
    attributes = aws_client("sqs", aws).get_queue_attributes(
        QueueUrl=resources.jobs_queue_url, AttributeNames=["ApproximateNumberOfMessages"]
    )["Attributes"]
    assert attributes["ApproximateNumberOfMessages"] == "1"


def test_worker_from_the_asset_runs_the_handed_off_job(
    delivered: dict[str, Any],
    asset: Path,
    lambda_runtime: Path,
    spec: BundleSpec,
    aws: tuple[str, LocalResources],
) -> None:
    url, resources = aws
    messages = aws_client("sqs", aws).receive_message(
        QueueUrl=resources.jobs_queue_url,
        MaxNumberOfMessages=10,
        AttributeNames=["All"],
        MessageAttributeNames=["All"],
    )["Messages"]
    environment = {**fake_credentials(url), **resources.environment()}
    event = sqs_event(messages, resources.jobs_queue_arn)
    answer = invoke(asset, lambda_runtime, spec, "lambda_worker.handler", event, environment)
    assert answer == {"batchItemFailures": []}
    records = aws_client("dynamodb", aws).scan(TableName=resources.idempotency_table_name)
    assert records["Count"] == 1


def test_schedules_handler_from_the_asset_answers_a_create_event(
    asset: Path,
    lambda_runtime: Path,
    spec: BundleSpec,
    aws: tuple[str, LocalResources],
) -> None:
    # The secret holds no QSTASH_TOKEN (as after a first deploy): the handler answers without
    # calling QStash, so no network is needed.
    url, resources = aws
    event = load_event("cloudformation_create.json")
    event["ResourceProperties"]["QStashSecretArn"] = resources.signing_keys_secret_arn
    answer = invoke(
        asset, lambda_runtime, spec, "lambda_schedules.handler", event, fake_credentials(url)
    )
    assert answer["PhysicalResourceId"]
    assert answer["Data"]["Reconciled"] == "false"


def run_in_asset_python(spec: BundleSpec, script: str, *path: Path) -> Any:
    """Run `script` in a fresh `-I -S` interpreter with `path` on sys.path; its JSON answer."""
    done = subprocess.run(
        [str(find_python(spec.python_version)), "-I", "-S", "-c", script,
         json.dumps([str(folder) for folder in path])],
        capture_output=True, text=True, timeout=120, check=False, env={"PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


def test_every_powertools_module_kept_imports_from_the_asset(
    asset: Path, lambda_runtime: Path, spec: BundleSpec
) -> None:
    missing = run_in_asset_python(spec, IMPORT_EVERY_POWERTOOLS_MODULE, asset, lambda_runtime)
    assert missing == []


def powertools_imports(source: Path, module: str) -> set[str]:
    """Every Powertools module `source` imports, at module level or inside functions."""
    package = module if source.name == "__init__.py" else module.rpartition(".")[0]
    imported = set()
    for node in ast.walk(ast.parse(source.read_bytes())):
        if isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")
            target = ".".join(base[: len(base) - node.level + 1] if node.level else [])
            target = ".".join(part for part in (target, node.module or "") if part)
            imported.add(target)
            imported.update(f"{target}.{alias.name}" for alias in node.names)
    return {name for name in imported if name.startswith("aws_lambda_powertools.")}


def test_no_powertools_module_kept_imports_a_package_left_out(asset: Path) -> None:
    # Read from the sources the dev environment installed (the same locked version): a
    # Powertools upgrade that makes a kept module import a left-out one fails here, even
    # where the import hides inside a function the handlers above do not run.
    spec = importlib.util.find_spec("aws_lambda_powertools")
    assert spec is not None
    assert spec.origin is not None
    installed = Path(spec.origin).parent
    left_out = [
        "aws_lambda_powertools." + package.removeprefix("aws_lambda_powertools/").replace("/", ".")
        for package in UNUSED_PACKAGES
        if package.startswith("aws_lambda_powertools/")
    ]
    offending = set()
    for source in installed.rglob("*.py"):
        relative = source.relative_to(installed.parent).with_suffix("")
        module = ".".join(relative.parts).removesuffix(".__init__")
        if not (asset / relative.parent).is_dir():
            continue  # a module of a left-out package
        for name in powertools_imports(source, module):
            if any(name == out or name.startswith(out + ".") for out in left_out):
                allowed = LAZY_IMPORTS_NEVER_RUN.get(module)
                if not (allowed and name.startswith(allowed)):
                    offending.add(f"{module} -> {name}")
    assert sorted(offending) == []


def test_anyio_from_the_asset_still_imports_lazily(
    asset: Path, lambda_runtime: Path, spec: BundleSpec
) -> None:
    # anyio reads its own __init__ source to defer its imports; the bundle keeps that source.
    script = (
        "import json, sys; sys.path[:0] = json.loads(sys.argv[1]); import anyio; "
        "print(json.dumps(sorted(name for name in sys.modules if name.startswith('anyio'))))"
    )
    loaded = run_in_asset_python(spec, script, asset, lambda_runtime)
    assert "anyio._core._fileio" not in loaded


def test_no_dependency_reads_source_the_asset_left_out(
    asset: Path, lambda_runtime: Path, spec: BundleSpec
) -> None:
    # The names of inspect's and linecache's source readers in any dependency's bytecode.
    script = """
import json, marshal, pathlib, sys
root = pathlib.Path(json.loads(sys.argv[1])[0])
readers = {"getsource", "getsourcelines", "findsource", "getlines", "getblock"}
def names(code):
    yield from code.co_names
    for constant in code.co_consts:
        if hasattr(constant, "co_names"):
            yield from names(constant)
found = set()
for pyc in root.rglob("*.pyc"):
    if pyc.parent.name != "__pycache__":
        code = marshal.loads(pyc.read_bytes()[16:])
        if readers & set(names(code)):
            found.add(pyc.relative_to(root).as_posix())
print(json.dumps(sorted(found)))
"""
    found = run_in_asset_python(spec, script, asset)
    assert found == [
        # Parses anyio/__init__.py and anyio/abc/__init__.py, which the bundle keeps.
        "anyio/_lazyimport.pyc",
        # Reads the endpoint functions' source lines: the application's, which it keeps.
        "fastapi/routing.pyc",
        # Reads the docstrings of the application's own models (use_attribute_docstrings).
        "pydantic/_internal/_docs_extraction.pyc",
    ]
