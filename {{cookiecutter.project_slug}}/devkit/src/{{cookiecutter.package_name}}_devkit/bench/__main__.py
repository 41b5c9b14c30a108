"""`make bench`: build the folders, start moto, run every handler, print and write the figures."""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

import boto3

from infra.bundling import find_uv

from {{ cookiecutter.package_name }}.qstash import SigningKeys

from ..aws_resources import create_resources
from ..runtime import moto_in_thread, process_environment
from ..signer import new_signing_key
from .folders import Folders, build_folders, make_writable, without_bytecode, zipped_size
from .report import BenchFigures, markdown, write_json
from .runs import PUBLIC_BASE_URL, HandlerSpec, measure, process_probe, signed_events

PACKAGE = "{{ cookiecutter.package_name }}"
INGEST_HANDLER = f"{PACKAGE}.entrypoints.lambda_ingest.handler"
PARAMETER_NAME = "/bench/public-base-url"
KEYS_AND_BASE_URL = ("QSTASH_CURRENT_SIGNING_KEY", "QSTASH_NEXT_SIGNING_KEY", "PUBLIC_BASE_URL")
NOTES = [
    "Init + first invoke: import of the handler plus its first signed delivery (verify, hand "
    "the job to SQS on moto, answer 202), timed inside a fresh `python -I -S` process with "
    "only the handler's folder and the runtime's boto3 (with its bytecode) on sys.path.",
    "Cases: shipped bytecode = the folder as built (infra's bundler for the asset, the same "
    "compileall for the baselines); no bytecode = a read-only copy without __pycache__ (of "
    "the asset built with its dependencies' sources), "
    "python -B (nothing written); warm bytecode cache = a writable copy whose bytecode an "
    "uncounted process wrote first.",
    "ingest also claims the token (replay refusal) while it reads the hand-off mark (two "
    "DynamoDB requests at once), then records the mark after the send: 4 AWS requests per "
    "delivery, 3 waited for one after the other, where the baselines make 1 (moto runs in "
    "one Python process, with no network wait to overlap: the overlap saves nothing here). "
    "framework is the floor of FastAPI + Mangum (no work). "
    "ingest-deployed reads the keys from Secrets Manager and the public base URL from SSM "
    "on its first delivery.",
    "Peak RSS: after the first invoke. Warm: per signed delivery after the first, one "
    "process per handler.",
]


def main(argv: Sequence[str] | None = None) -> None:
    """Measure, print the markdown table, write the JSON."""
    parser = argparse.ArgumentParser(description="Cold start and warm latency, side by side.")
    parser.add_argument("--runs", type=int, default=7, help="fresh processes per case")
    parser.add_argument("--requests", type=int, default=400, help="warm deliveries per handler")
    parser.add_argument("--synth", action=argparse.BooleanOptionalAction, default=True,
                        help="time `cdk synth` (needs node_modules: npm ci)")  # fmt: skip
    parser.add_argument("--suite-timing", type=Path, help='JSON {"seconds": ...} of a test run')
    parser.add_argument("--json", type=Path, default=Path("build/bench.json"), help="output")
    options = parser.parse_args(argv)
    project_dir = Path.cwd()
    notes = list(NOTES)

    with tempfile.TemporaryDirectory(prefix="bench-") as scratch, _writable_after(Path(scratch)):
        print("building the asset and the baselines' folders ...", file=sys.stderr)
        folders = build_folders(project_dir, PACKAGE, Path(scratch))
        copies = _case_copies(folders, Path(scratch))
        keys = SigningKeys(current=new_signing_key(), next=new_signing_key())
        with moto_in_thread() as url, process_environment(aws_environment(url)):
            shared, deployed = create_function_resources(keys)
            environment = {**aws_environment(url), **shared}
            specs = handler_specs(folders, deployed)
            print(f"measuring {len(specs)} handlers ...", file=sys.stderr)
            handlers = measure(
                specs,
                lambda spec, case: copies[spec.folder, case],
                process_probe(folders.python, folders.runtime, environment),
                lambda tag, count: signed_events(keys, tag, count),
                runs=options.runs,
                requests=options.requests,
            )
            heaviest = heaviest_imports(folders, environment)
        zip_bytes = zipped_size(folders.asset)
        version = _version(folders.python)

    synth_seconds = None
    if options.synth:
        synth_seconds, failure = time_synth(project_dir)
        if failure:
            notes.append(f"cdk synth not measured: {failure}")
    figures = BenchFigures(
        python=version,
        runs=options.runs,
        requests=options.requests,
        handlers=handlers,
        asset_zip_bytes=zip_bytes,
        synth_seconds=synth_seconds,
        suite_seconds=suite_seconds(options.suite_timing),
        heaviest_imports=heaviest,
        notes=notes,
    )
    print(markdown(figures))
    write_json(figures, options.json)
    print(f"\nfigures written to {options.json.resolve()}")


def handler_specs(folders: Folders, deployed: Mapping[str, str]) -> list[HandlerSpec]:
    """The handlers measured, in table order.

    Args:
        folders: The built folders.
        deployed: What the stack sets instead of the keys and the base URL (the secret's
            ARN, the parameter's name).
    """
    baselines = folders.baselines
    return [
        HandlerSpec(
            "bare", "`def handler` answering 202, no work", baselines["bare"], "bare.handler"
        ),
        HandlerSpec(
            "jwt_boto3", "pyjwt + boto3, no framework", baselines["jwt_boto3"], "jwt_boto3.handler"
        ),
        HandlerSpec(
            "framework",
            "FastAPI + Mangum answering 202, no verification, no hand-off",
            baselines["framework"],
            "framework.handler",
        ),
        HandlerSpec(
            "naive",
            "FastAPI + Mangum + qstash Receiver + boto3",
            baselines["naive"],
            "naive.handler",
        ),
        HandlerSpec(
            "ingest",
            "the generated ingest handler, from the built asset",
            folders.asset,
            INGEST_HANDLER,
        ),
        HandlerSpec(
            "ingest-deployed",
            "the same, keys and base URL read as deployed",
            folders.asset,
            INGEST_HANDLER,
            deployed,
            without=KEYS_AND_BASE_URL,
        ),
    ]


def aws_environment(endpoint_url: str) -> dict[str, str]:
    """Credentials and region for moto server at `endpoint_url` (here and in the children)."""
    return {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ENDPOINT_URL": endpoint_url,
    }


def create_function_resources(keys: SigningKeys) -> tuple[dict[str, str], dict[str, str]]:
    """Create the queue, tables, secret and parameter on moto.

    Returns:
        The variables every handler gets (keys, queue, tables, public base URL, production,
        the deployed log level), and what the deployed stack sets instead of the keys and
        the base URL (the secret's ARN, the parameter's name).
    """
    resources = create_resources(keys, prefix="bench")
    boto3.client("ssm").put_parameter(Name=PARAMETER_NAME, Value=PUBLIC_BASE_URL, Type="String")
    shared = {
        **resources.environment(),
        "QSTASH_CURRENT_SIGNING_KEY": keys.current,
        "QSTASH_NEXT_SIGNING_KEY": keys.next,
        "PUBLIC_BASE_URL": PUBLIC_BASE_URL,
        "ENVIRONMENT": "production",
        "LOG_LEVEL": "INFO",  # what the stack deploys (cdk.json "log_level")
    }
    deployed = {
        "QSTASH_SIGNING_KEYS_SECRET_ARN": shared.pop("QSTASH_SIGNING_KEYS_SECRET_ARN"),
        "PUBLIC_BASE_URL_PARAMETER": PARAMETER_NAME,
    }
    return shared, deployed


def heaviest_imports(
    folders: Folders, environment: Mapping[str, str], top: int = 8
) -> list[tuple[str, float]]:
    """The costliest top-level packages of the asset's ingest handler, from `-X importtime`.

    A package's figure is its cumulative import time where it was first imported, so it
    includes what it imported (fastapi includes starlette and pydantic).

    Returns:
        `(package, milliseconds)`, costliest first; empty when the import failed.
    """
    module = INGEST_HANDLER.rpartition(".")[0]
    script = f"import sys; sys.path[:0] = [{str(folders.asset)!r}, {str(folders.runtime)!r}]; "
    # -B, not PYTHONDONTWRITEBYTECODE: -I ignores every PYTHON* variable.
    command = [str(folders.python), "-I", "-S", "-B", "-X", "importtime", "-c"]
    done = subprocess.run(  # noqa: S603  (the runtime's interpreter, our own one-liner)
        [*command, f"{script}import {module}"],
        env={"PATH": "/usr/bin:/bin", **environment},
        capture_output=True,
        text=True,
        check=False,
    )
    return import_costs(done.stderr, installed(folders), module, top)


def installed(folders: Folders) -> set[str]:
    """The top-level import names of the asset's and the runtime's distributions."""
    names = set()
    for folder in (folders.asset, folders.runtime):
        for path in folder.iterdir():
            if path.suffix in ("", ".py", ".pyc") and not path.name.startswith(("_", ".")):
                names.add(path.stem)
    return names - {PACKAGE, "bin"}


def import_costs(trace: str, packages: set[str], module: str, top: int) -> list[tuple[str, float]]:
    """Read `-X importtime` output: each package's cumulative ms where first imported.

    `module`'s own time (its module-level set-up: settings, app, clients) is reported too.
    """
    costs: dict[str, float] = {}
    for line in trace.splitlines():
        found = re.match(r"import time:\s+(\d+) \|\s+(\d+) \| *([\w.]+)$", line)
        if not found:
            continue
        own, cumulative, name = int(found.group(1)), int(found.group(2)), found.group(3)
        if name in packages:
            costs.setdefault(name, cumulative / 1e3)
        elif name == module:
            costs[f"{module} set-up"] = own / 1e3
    return sorted(costs.items(), key=lambda item: item[1], reverse=True)[:top]


def time_synth(project_dir: Path) -> tuple[float | None, str | None]:
    """Time `cdk synth` into a fresh output folder (so the asset is bundled, as a first synth).

    Returns:
        `(seconds, None)`, or `(None, why)` when it could not run.
    """
    if not (project_dir / "node_modules").is_dir():
        return None, "no node_modules (run npm ci, or make synth once)"
    # cdk.json's app command calls uv by name: the uv running us goes first on PATH.
    path = f"{Path(find_uv()).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    environment = dict(os.environ, PATH=path, JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION="20")
    npx = shutil.which("npx") or "npx"
    with tempfile.TemporaryDirectory(prefix="bench-synth-") as output:
        started = time.perf_counter()
        done = subprocess.run(  # noqa: S603  (the CDK CLI pinned in package.json)
            [npx, "--no-install", "cdk", "synth", "--quiet", "--output", output],
            cwd=project_dir,
            env=environment,
            capture_output=True,
            text=True,
            check=False,
        )
        elapsed = time.perf_counter() - started
    if done.returncode != 0:
        return None, (done.stderr or done.stdout).strip()[-300:]
    return elapsed, None


def suite_seconds(path: Path | None) -> float | None:
    """Read `{"seconds": ...}` written by a test run; None when there is none."""
    if path is None or not path.is_file():
        return None
    seconds = json.loads(path.read_text(encoding="utf-8")).get("seconds")
    return float(seconds) if isinstance(seconds, int | float) else None


def _case_copies(folders: Folders, work: Path) -> dict[tuple[Path, str], Path]:
    # The asset's dependencies are bytecode only: its copies come from the bundle with sources.
    sources = {folders.asset: folders.asset_with_sources}
    copies: dict[tuple[Path, str], Path] = {}
    for folder in (folders.asset, *folders.baselines.values()):
        copies[folder, "bytecode"] = folder
        for case, read_only in (("no-bytecode", True), ("warm-cache", False)):
            destination = work / f"{folder.name}-{case}"
            original = sources.get(folder, folder)
            copies[folder, case] = without_bytecode(original, destination, read_only=read_only)
    return copies


def _version(python: Path) -> str:
    done = subprocess.run(  # noqa: S603
        [str(python), "-c", "import platform; print(platform.python_version())"],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


@contextmanager
def _writable_after(folder: Path) -> Iterator[None]:
    # Read-only copies would stop the temporary folder's own clean-up.
    try:
        yield
    finally:
        make_writable(folder)


if __name__ == "__main__":
    main()
