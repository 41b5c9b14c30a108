"""Refuse answers this template cannot build, before any file is written.

Cookiecutter renders this file with Jinja, then runs it with the project folder as the
working directory. Each problem is printed to stderr as one line
``ERROR: <field>=<value>: <how to fix>`` and the hook exits 1; cookiecutter then
deletes the project folder it created.

The answers arrive as one JSON document inside a Python string literal (``tojson``
applied twice), never as values pasted into source: see docs/design_decisions.md.
"""

from __future__ import annotations

import itertools
import json
import keyword
import re
import sys
import unicodedata
from collections.abc import Callable
from typing import NamedTuple

# fmt: off
ANSWERS_JSON = {{ {
    "project_name": cookiecutter.project_name,
    "project_slug": cookiecutter.project_slug,
    "package_name": cookiecutter.package_name,
    "description": cookiecutter.description,
    "author_name": cookiecutter.author_name,
    "author_email": cookiecutter.author_email,
    "cloud": cookiecutter.cloud,
    "python_version": cookiecutter.python_version,
    "architecture": cookiecutter.architecture,
    "aws_region": cookiecutter.aws_region,
    "gcp_region": cookiecutter.gcp_region,
} | tojson | tojson }}
# fmt: on

AVAILABLE_CLOUDS = ("aws-lambda", "gcp-cloud-functions")
PYTHON_VERSIONS = ("3.13", "3.12")
ARCHITECTURES = ("arm64", "x86_64")

# Derived AWS names (stack, functions, queues) append suffixes to the slug; 40 keeps
# them inside the 64-character Lambda function name limit.
MAX_SLUG_LENGTH = 40
MAX_PROJECT_NAME_LENGTH = 80
MAX_DESCRIPTION_LENGTH = 200
MAX_AUTHOR_NAME_LENGTH = 100
MAX_EMAIL_LENGTH = 254
MAX_SHOWN_LENGTH = 60

SLUG_PATTERN = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
PACKAGE_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
# Deliberately simple: one @, a dot-atom local part, a domain with at least one dot.
EMAIL_PATTERN = re.compile(
    r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)+$"
)
# Every AWS region code botocore 1.44.8 knows, by partition: the regions of
# botocore/data/endpoints.json and botocore/data/partitions.json ("partitions" -> "regions"),
# without partitions.json's pseudo-regions (aws-global, aws-cn-global ...), which do not match
# their partition's regionRegex and cannot be deployed to. Every partition is kept: China,
# GovCloud, the European Sovereign Cloud and the isolated (ISO) partitions are real deployment
# targets for the accounts that have them. The same botocore is in the template's dev group;
# tests/test_hooks.py::test_pinned_aws_regions_are_the_ones_botocore_lists fails, naming the
# difference, when a botocore upgrade adds or removes one.
# fmt: off
AWS_REGIONS_BY_PARTITION = {
    "aws": (
        "af-south-1", "ap-east-1", "ap-east-2", "ap-northeast-1", "ap-northeast-2",
        "ap-northeast-3", "ap-south-1", "ap-south-2", "ap-southeast-1", "ap-southeast-2",
        "ap-southeast-3", "ap-southeast-4", "ap-southeast-5", "ap-southeast-6", "ap-southeast-7",
        "ca-central-1", "ca-west-1", "eu-central-1", "eu-central-2", "eu-north-1", "eu-south-1",
        "eu-south-2", "eu-west-1", "eu-west-2", "eu-west-3", "il-central-1", "me-central-1",
        "me-south-1", "me-west-1", "mx-central-1", "sa-east-1", "sa-west-1", "us-east-1",
        "us-east-2", "us-west-1", "us-west-2",
    ),
    "aws-cn": ("cn-north-1", "cn-northwest-1"),
    "aws-eusc": ("eusc-de-east-1",),
    "aws-iso": ("us-iso-east-1", "us-iso-west-1"),
    "aws-iso-b": ("us-isob-east-1", "us-isob-west-1"),
    "aws-iso-e": ("eu-isoe-west-1",),
    "aws-iso-f": ("us-isof-east-1", "us-isof-south-1"),
    "aws-us-gov": ("us-gov-east-1", "us-gov-west-1"),
}
# fmt: on
AWS_REGIONS = frozenset(itertools.chain.from_iterable(AWS_REGIONS_BY_PARTITION.values()))
AWS_REGION_EXAMPLES = "us-east-1, eu-central-1 or ap-southeast-2"
# The regions of Cloud Run functions (Cloud Functions 2nd gen, which run on Cloud Run), copied
# from https://cloud.google.com/run/docs/locations (Tier 1 and Tier 2 pricing lists), which
# https://cloud.google.com/functions/docs/locations points to. Google adds regions now and
# then: a region missing here is refused with this list's examples; add it here and in
# docs/prompts.md.
# fmt: off
GCP_REGIONS = frozenset(
    {
        # Tier 1 pricing.
        "asia-east1", "asia-northeast1", "asia-northeast2", "europe-north1", "europe-southwest1",
        "europe-west1", "europe-west4", "europe-west8", "europe-west9", "me-west1", "us-central1",
        "us-east1", "us-east4", "us-east5", "us-south1", "us-west1",
        # Tier 2 pricing.
        "africa-south1", "asia-east2", "asia-northeast3", "asia-south1", "asia-south2",
        "asia-southeast1", "asia-southeast2", "australia-southeast1", "australia-southeast2",
        "europe-central2", "europe-west2", "europe-west3", "europe-west6", "europe-west10",
        "europe-west12", "me-central1", "me-central2", "northamerica-northeast1",
        "northamerica-northeast2", "southamerica-east1", "southamerica-west1", "us-west2",
        "us-west3", "us-west4",
    }
)
# fmt: on
GCP_REGION_EXAMPLES = "us-central1, europe-west1 or asia-northeast1"
# An AWS region code given as gcp_region -> the Google Cloud region in the same metro area
# (both providers' location pages name the city); AWS regions with no Google Cloud region in
# their city are left out and answered with GCP_REGION_EXAMPLES.
# fmt: off
GCP_REGION_OF_AWS_REGION = {
    "us-east-1": "us-east4", "us-east-2": "us-east5", "us-west-2": "us-west1",
    "ca-central-1": "northamerica-northeast1", "sa-east-1": "southamerica-east1",
    "eu-central-1": "europe-west3", "eu-central-2": "europe-west6", "eu-west-2": "europe-west2",
    "eu-west-3": "europe-west9", "eu-south-1": "europe-west8", "il-central-1": "me-west1",
    "ap-east-1": "asia-east2", "ap-south-1": "asia-south1", "ap-northeast-1": "asia-northeast1",
    "ap-northeast-2": "asia-northeast3", "ap-northeast-3": "asia-northeast2",
    "ap-southeast-1": "asia-southeast1", "ap-southeast-2": "australia-southeast1",
    "ap-southeast-3": "asia-southeast2", "ap-southeast-4": "australia-southeast2",
}
# fmt: on

# Import names a package_name must not take: the generated package and an installed
# distribution would shadow one another (package_name=packaging baked, then the project's tests
# failed on "No module named 'packaging.api'"). The hook runs before the project exists and
# cannot read its uv.lock, so this is data: the slow test
# tests/test_generated_project.py::test_hook_refuses_every_import_name_installed_in_the_project
# syncs a baked project and prints every installed name missing here, ready to paste.
# fmt: off
DEPENDENCY_IMPORT_NAMES = frozenset(
    {
        # Installed by `uv sync --locked` on Linux and macOS, runtime and dev.
        "annotated_doc", "annotated_types", "antlr4", "anyio", "ast_serialize", "attr", "attrs",
        "aws_lambda_powertools", "aws_xray_sdk", "blinker", "boto3", "botocore", "certifi", "cffi",
        "cfnlint", "charset_normalizer", "click", "cronsim", "cryptography", "dateutil", "docker",
        "dotenv", "fastapi", "flask", "flask_cors", "graphql", "h11", "httpcore", "httpx", "idna",
        "iniconfig", "isympy", "itsdangerous", "jinja2", "jmespath", "joserfc", "jsonpatch",
        "jsonpatch_cli", "jsonpath_ng", "jsonpointer", "jsonschema", "jsonschema_path",
        "jsonschema_specifications", "jwt", "lazy_object_proxy", "librt", "mangum", "markupsafe",
        "moto", "mpmath", "mypy", "mypy_boto3_dynamodb", "mypy_boto3_secretsmanager",
        "mypy_boto3_sqs", "mypy_extensions", "mypyc", "networkx", "openapi_schema_validator",
        "openapi_spec_validator", "opentelemetry", "packaging", "pathable", "pathspec", "pluggy",
        "py", "py_partiql_parser", "pycparser", "pydantic", "pydantic_core", "pydantic_settings",
        "pygments", "pyparsing", "pytest", "qstash", "referencing", "regex", "requests",
        "responses", "rfc3339_validator", "rpds", "ruff", "s3transfer", "six", "starlette", "sympy",
        "tenacity", "typing_extensions", "typing_inspection", "urllib3", "uvicorn", "werkzeug",
        "wrapt", "xmltodict", "yaml",
        # The infra group (the CDK app, in dev): jsii's own dependencies.
        "cattr", "cattrs", "publication", "typeguard",
        # Installed in a gcp-cloud-functions project only: functions-framework and
        # google-cloud-firestore with their dependencies (google is the namespace of
        # google.cloud, google.auth, google.api_core, google.protobuf ...).
        "cloudevents", "deprecation", "google", "grpc", "grpc_status", "gunicorn", "proto",
        "pyasn1", "pyasn1_modules", "uvicorn_worker", "watchdog",
        # Not installed today, but planned or likely: the other cron library (croniter, pytz),
        # anyio's former dependency (sniffio), the infrastructure release (aws_cdk, cdk_nag,
        # constructs, jsii), the later targets (functions_framework), and distribution-like
        # names (pyjwt, multipart, mypy_boto3, cookiecutter).
        "aws_cdk", "cdk_nag", "constructs", "cookiecutter", "croniter", "functions_framework",
        "jsii", "multipart", "mypy_boto3", "pyjwt", "pytz", "sniffio",
        # In the lock for Windows only: colorama (click, pytest) and pywin32 (docker),
        # whose pywin32.pth also puts win32/, win32/lib/ and pythonwin/ on sys.path.
        "adodbapi", "afxres", "colorama", "commctrl", "dde", "isapi", "mmapfile", "mmsystem",
        "netbios", "ntsecuritycon", "odbc", "perfmon", "pythoncom", "pythonwin", "pywin",
        "pywin32_bootstrap", "pywin32_system32", "pywin32_testutil", "pywintypes", "rasutil",
        "regcheck", "regutil", "servicemanager", "sspi", "sspicon", "timer", "win2kras", "win32",
        "win32api", "win32clipboard", "win32com", "win32comext", "win32con", "win32console",
        "win32cred", "win32crypt", "win32cryptcon", "win32event", "win32evtlog", "win32evtlogutil",
        "win32file", "win32gui", "win32gui_struct", "win32help", "win32inet", "win32inetcon",
        "win32job", "win32lz", "win32net", "win32netcon", "win32pdh", "win32pdhquery",
        "win32pdhutil", "win32pipe", "win32print", "win32process", "win32profile", "win32ras",
        "win32rcparser", "win32security", "win32service", "win32serviceutil", "win32timezone",
        "win32trace", "win32traceutil", "win32transaction", "win32ts", "win32ui", "win32uiole",
        "win32verstamp", "win32wnet", "winerror", "winioctlcon", "winnt", "winperf", "winxpgui",
        "winxptheme",
    }
)
# Import names that tools outside the dependency tree import in the project's environment. The
# project is installed in its own .venv (editable: src/ is on sys.path), so anything run with
# that interpreter imports the package instead of the tool.
PACKAGING_TOOL_NAMES = frozenset(
    {
        # `python -m pip`, and the bundling step of a deployment (`pip install --target`); pip
        # builds source distributions with setuptools (pkg_resources; distutils on Python 3.12+,
        # where the standard library no longer has it) and wheel.
        "pip", "setuptools", "pkg_resources", "distutils", "wheel",
        # The generated project's build backend ([build-system] in pyproject.toml).
        "uv_build",
    }
)
# What the managed Lambda Python runtime (python3.12, python3.13) imports besides the function's
# code; a package of the same name and the runtime's module would hide one another. The runtime
# runs /var/runtime/bootstrap.py (module bootstrap: /var/runtime is on sys.path, after the
# function's code in /var/task), which imports awslambdaric; awslambdaric imports its native
# extension runtime_client, simplejson (event and response JSON) and snapshot_restore_py
# (SnapStart hooks), then the handler's module: lambda_function while the handler setting keeps
# its default lambda_function.lambda_handler. Source: the runtime interface client,
# https://github.com/aws/aws-lambda-python-runtime-interface-client (awslambdaric/bootstrap.py,
# lambda_runtime_client.py, lambda_runtime_marshaller.py, lambda_runtime_hooks_runner.py).
LAMBDA_RUNTIME_NAMES = frozenset(
    {
        "awslambdaric", "bootstrap", "lambda_function", "runtime_client", "simplejson",
        "snapshot_restore_py",
    }
)
# What a Cloud Function's source root holds besides the package: functions-framework imports
# the module main (main.py, the default --source entry module) to find the entry point, see
# https://cloud.google.com/functions/docs/writing#directory-structure-python. A package of
# that name would take its place.
CLOUD_FUNCTIONS_RUNTIME_NAMES = frozenset({"main"})
# fmt: on
# sys.stdlib_module_names leaves out the regression-test package, which is still importable.
STDLIB_NAMES = frozenset(sys.stdlib_module_names) | {"test"}
# Top-level names of the generated project itself.
PROJECT_NAMES = frozenset({"build", "conftest", "dist", "docs", "infra", "setup", "src", "tests"})

# Characters refused in free text: controls (newline, tab, NUL, DEL, C1), lone
# surrogates, and the Unicode line/paragraph separators that YAML and others treat as
# line breaks.
REFUSED_CATEGORIES = frozenset({"Cc", "Cs", "Zl", "Zp"})


def show(value: object) -> str:
    r"""Render a value for an error line: one line, escaped, shortened.

    Printable characters stay as typed (including non-ASCII), a backslash is doubled,
    anything unprintable becomes an escape such as ``\n`` or ``\x00``.

    Args:
        value: The answer as received; non-str values are shown with ``repr``.

    Returns:
        Text without line breaks, at most about ``MAX_SHOWN_LENGTH`` characters.
    """
    if not isinstance(value, str):
        return repr(value)
    shown = "".join(
        char if char.isprintable() and char != "\\" else repr(char)[1:-1] for char in value
    )
    if len(shown) > MAX_SHOWN_LENGTH:
        shown = shown[:MAX_SHOWN_LENGTH] + f"...({len(value)} characters)"
    return shown


def error_line(field: str, value: object, fix: str) -> str:
    """Format one problem as ``ERROR: <field>=<value>: <how to fix>``.

    Args:
        field: The cookiecutter key, e.g. ``package_name``.
        value: The refused answer.
        fix: What to type instead.

    Returns:
        A single line of text.
    """
    return f"ERROR: {field}={show(value)}: {fix}"


def refused_character(value: str) -> str | None:
    """Return a description of the first character free text may not contain."""
    for char in value:
        if unicodedata.category(char) in REFUSED_CATEGORIES:
            return f"U+{ord(char):04X}"
    return None


def check_free_text(value: str, max_length: int, *, required: bool) -> str | None:
    """Check one line of free text.

    Args:
        value: The answer.
        max_length: Longest accepted length, in characters.
        required: Whether blank text is refused.

    Returns:
        How to fix the value, or None when it is acceptable.
    """
    bad = refused_character(value)
    if bad is not None:
        return (
            f"must be one line of text without control characters (found {bad}); "
            "remove line breaks, tabs and the like"
        )
    if required and not value.strip():
        return "must not be empty"
    if len(value) > max_length:
        return f"must be at most {max_length} characters (got {len(value)}); shorten it"
    return None


def check_project_name(value: str) -> str | None:
    """Check the human-readable project name; see :func:`check_free_text`.

    It also needs a letter or digit: ``project_slug`` is made from them, and a name such as
    ``!!!`` leaves nothing to make it from (cookiecutter.json then falls back to
    ``qstash-jobs`` so that generation reaches this hook at all).
    """
    fix = check_free_text(value, MAX_PROJECT_NAME_LENGTH, required=True)
    if fix is None and not any(char.isalnum() for char in value):
        return "must contain at least one letter or digit"
    return fix


def check_description(value: str) -> str | None:
    """Check the one-line description; see :func:`check_free_text`."""
    return check_free_text(value, MAX_DESCRIPTION_LENGTH, required=False)


def check_author_name(value: str) -> str | None:
    """Check the author or team name; see :func:`check_free_text`."""
    return check_free_text(value, MAX_AUTHOR_NAME_LENGTH, required=True)


def words(value: str) -> list[str]:
    """Split text into lowercase ASCII letter/digit runs: ``"3D Jobs!"`` -> ``["3d", "jobs"]``."""
    return re.findall(r"[a-z0-9]+", value.lower())


def suggest_slug(value: str) -> str:
    """Suggest a valid slug close to ``value``, e.g. ``"My_Jobs"`` -> ``"my-jobs"``."""
    parts = words(value)
    # A slug starts with a letter: move leading words that start with a digit to the end.
    leading = list(itertools.takewhile(lambda part: part[0].isdigit(), parts))
    rest = parts[len(leading) :]
    if leading and not rest:
        rest = ["jobs"]
    parts = rest + leading
    # Too long: drop whole words from the end rather than cutting one in half.
    while len(parts) > 1 and len("-".join(parts)) > MAX_SLUG_LENGTH:
        parts.pop()
    return "-".join(parts)[:MAX_SLUG_LENGTH] or "qstash-jobs"


def suggest_package_name(value: str) -> str:
    """Suggest a valid package name close to ``value``, e.g. ``"3d-jobs"`` -> ``"jobs_3d"``."""
    candidate = suggest_slug(value).replace("-", "_")
    if is_reserved_package_name(candidate):
        candidate += "_jobs"
    return candidate


def check_project_slug(value: str) -> str | None:
    """Check the folder and distribution name.

    Returns:
        How to fix the value, or None when it is acceptable.
    """
    if not SLUG_PATTERN.match(value):
        return (
            "must be lowercase letters and digits separated by single hyphens, starting "
            f"with a letter, e.g. {suggest_slug(value)}"
        )
    if len(value) > MAX_SLUG_LENGTH:
        return (
            f"must be at most {MAX_SLUG_LENGTH} characters (AWS resource names derive from "
            f"it), e.g. {suggest_slug(value)}"
        )
    return None


def package_name_conflict(value: str) -> str | None:
    """Say what an import name would shadow or clash with.

    Args:
        value: A candidate import name.

    Returns:
        The reason, phrased to follow the name (``"is a Python keyword"``), or None when the
        name is free.
    """
    if keyword.iskeyword(value):
        return "is a Python keyword"
    if value in STDLIB_NAMES:
        return f"would shadow the standard-library module {value}"
    if value in DEPENDENCY_IMPORT_NAMES:
        return f"would shadow the dependency {value}"
    if value in PACKAGING_TOOL_NAMES:
        return f"would shadow {value}, which packaging tools import in the project's environment"
    if value in LAMBDA_RUNTIME_NAMES:
        return f"would shadow {value}, which the Lambda Python runtime imports"
    if value in CLOUD_FUNCTIONS_RUNTIME_NAMES:
        return f"would shadow {value}, which the Cloud Functions Python runtime imports"
    if value in PROJECT_NAMES:
        return f"clashes with the project's own {value} folder"
    return None


def is_reserved_package_name(value: str) -> bool:
    """Tell whether a package of this name would shadow something it must not.

    Args:
        value: A candidate import name.

    Returns:
        True for Python keywords, standard-library modules, dependencies of the generated
        project, names packaging tools or the Lambda runtime import, and the project's own
        top-level folders.
    """
    return package_name_conflict(value) is not None


def check_package_name(value: str) -> str | None:
    """Check the import name of the generated package.

    Returns:
        How to fix the value, or None when it is acceptable.
    """
    suggestion = suggest_package_name(value)
    if not value.isidentifier() or not PACKAGE_PATTERN.match(value):
        return (
            "must be a Python identifier of lowercase ASCII letters, digits and "
            f"underscores, starting with a letter, e.g. {suggestion}"
        )
    conflict = package_name_conflict(value)
    if conflict is not None:
        return f"{conflict}; choose another name, e.g. {suggestion}"
    return None


def slug_to_package_name(slug: str) -> str:
    """Derive the default package name from a slug, as cookiecutter.json does."""
    return slug.replace("-", "_")


def check_package_name_of_slug(slug: str) -> str | None:
    """Check the package name a slug gives when ``package_name`` keeps its default.

    The problem is the derived package name's, but the user typed the slug (or a project name
    it was made from), so the fix names both ways out.

    Args:
        slug: An accepted ``project_slug``. Its derived name is always an identifier, so only
            a conflict (:func:`package_name_conflict`) can be wrong with it.

    Returns:
        How to fix the slug, or None when its package name is acceptable.
    """
    package = slug_to_package_name(slug)
    conflict = package_name_conflict(package)
    if conflict is None:
        return None
    suggestion = suggest_package_name(package)
    return (
        f"gives package_name={package}, which {conflict}; choose another project_slug, "
        f"e.g. {suggestion.replace('_', '-')}, or set package_name, e.g. {suggestion}"
    )


def check_author_email(value: str) -> str | None:
    """Check that the author e-mail looks like ``name@example.com``.

    Returns:
        How to fix the value, or None when it is acceptable.
    """
    if len(value) > MAX_EMAIL_LENGTH or not EMAIL_PATTERN.match(value):
        return "must be an e-mail address such as team@example.com (ASCII, no spaces)"
    return None


def check_cloud(value: str) -> str | None:
    """Check the deployment target.

    Returns:
        How to fix the value, or None when it is acceptable.
    """
    if value not in AVAILABLE_CLOUDS:
        return f"must be one of {', '.join(AVAILABLE_CLOUDS)}"
    return None


def check_python_version(value: str) -> str | None:
    """Check the runtime Python version against the ones the template supports."""
    if value not in PYTHON_VERSIONS:
        return f"must be one of {', '.join(PYTHON_VERSIONS)}"
    return None


def check_architecture(value: str) -> str | None:
    """Check the Lambda CPU architecture."""
    if value not in ARCHITECTURES:
        return f"must be one of {', '.join(ARCHITECTURES)}"
    return None


def check_aws_region(value: str) -> str | None:
    """Check that the value is an AWS region code botocore knows (``AWS_REGIONS``).

    Whether the region is enabled for the user's account is not checked: opt-in regions
    (``af-south-1``, ``me-central-1`` ...) exist but must be enabled before a deployment.

    Returns:
        How to fix the value, or None when it is acceptable.
    """
    if value in AWS_REGIONS:
        return None
    # US-EAST-1, us_east_1, " us-east-1 ": the right region, typed another way.
    spelled = re.sub(r"[\s_]+", "-", value.strip().lower())
    if spelled in AWS_REGIONS:
        return f"is not an AWS region code as written; did you mean {spelled}?"
    if spelled in GCP_REGIONS:
        return (
            "is a Google Cloud region, not an AWS region code; for Google Cloud answer "
            f"cloud=gcp-cloud-functions gcp_region={spelled}, for AWS use a region such as "
            f"{AWS_REGION_EXAMPLES}"
        )
    return f"is not a known AWS region code; use one such as {AWS_REGION_EXAMPLES}"


def check_gcp_region(value: str) -> str | None:
    """Check that the value is a region Cloud Functions 2nd gen deploys to (``GCP_REGIONS``).

    Returns:
        How to fix the value, or None when it is acceptable.
    """
    if value in GCP_REGIONS:
        return None
    # US-CENTRAL1, us_central1, " us-central1 ": the right region, typed another way.
    spelled = re.sub(r"[\s_]+", "-", value.strip().lower())
    if spelled in GCP_REGIONS:
        return f"is not a Google Cloud region name as written; did you mean {spelled}?"
    # us-central-1: an AWS-style hyphen before the number.
    joined = re.sub(r"-(\d+)$", r"\1", spelled)
    if joined in GCP_REGIONS:
        return f"is not a Google Cloud region name; did you mean {joined}?"
    if spelled in AWS_REGIONS:
        nearby = GCP_REGION_OF_AWS_REGION.get(spelled)
        if nearby:
            return (
                f"is an AWS region code, not a Google Cloud region; did you mean {nearby} "
                "(the same city)?"
            )
        return (
            "is an AWS region code, not a Google Cloud region; use one such as "
            f"{GCP_REGION_EXAMPLES} (https://cloud.google.com/run/docs/locations)"
        )
    return (
        "is not a region of Cloud Functions 2nd gen; use one such as "
        f"{GCP_REGION_EXAMPLES} (https://cloud.google.com/run/docs/locations)"
    )


class Derivation(NamedTuple):
    """How cookiecutter.json derives an answer's default from an earlier answer.

    Attributes:
        source: The earlier answer, e.g. ``project_slug``.
        derive: Computes the default from the source's value.
        check_source: Checks the source for problems of the derived default, and says how
            to fix the source; the error line names the source, the answer the user typed.
    """

    source: str
    derive: Callable[[str], str]
    check_source: Callable[[str], str | None]


DERIVED: dict[str, Derivation] = {
    "package_name": Derivation("project_slug", slug_to_package_name, check_package_name_of_slug),
}

CHECKS: dict[str, Callable[[str], str | None]] = {
    "project_name": check_project_name,
    "project_slug": check_project_slug,
    "package_name": check_package_name,
    "description": check_description,
    "author_name": check_author_name,
    "author_email": check_author_email,
    "cloud": check_cloud,
    "python_version": check_python_version,
}
# The prompts that apply to one target only, checked when that target is chosen. The other
# targets' answers are ignored: cookiecutter asks every prompt, and no generated file uses
# them (docs/prompts.md says which prompt applies where).
TARGET_CHECKS: dict[str, dict[str, Callable[[str], str | None]]] = {
    "aws-lambda": {"architecture": check_architecture, "aws_region": check_aws_region},
    "gcp-cloud-functions": {"gcp_region": check_gcp_region},
}


def checks_for(cloud: object) -> dict[str, Callable[[str], str | None]]:
    """Return the checks that apply to a target: every shared one, then the target's own.

    Args:
        cloud: The ``cloud`` answer; a refused one adds no target checks.

    Returns:
        Prompt key -> check, in prompt order.
    """
    own = TARGET_CHECKS.get(cloud, {}) if isinstance(cloud, str) else {}
    return {**CHECKS, **own}


def validate(answers: dict[str, object]) -> list[str]:
    """Check every answer.

    Args:
        answers: Prompt key -> answer, as cookiecutter collected them.

    Returns:
        One ``ERROR: <field>=<value>: <how to fix>`` line per problem, in prompt order;
        empty when every answer is acceptable. Prompts of other targets than the chosen
        ``cloud`` are not checked (``TARGET_CHECKS``). An answer still equal to its default
        derivation (``package_name=src`` from ``project_slug=src``) is reported against
        the answer it derives from, the one the user typed, and not at all when that
        answer is refused already (``project_slug=MyJobs``): fixing the source fixes both.
    """
    problems = []
    refused: set[str] = set()
    for field, check in checks_for(answers.get("cloud")).items():
        value = answers.get(field)
        if not isinstance(value, str):
            problems.append(error_line(field, value, "must be given as text"))
            refused.add(field)
            continue
        derivation = DERIVED.get(field)
        source_value = answers.get(derivation.source) if derivation else None
        if (
            derivation is not None
            and isinstance(source_value, str)
            and value == derivation.derive(source_value)
        ):
            fix = None if derivation.source in refused else derivation.check_source(source_value)
            if fix is not None:
                problems.append(error_line(derivation.source, source_value, fix))
                refused.add(field)
            continue
        fix = check(value)
        if fix is not None:
            problems.append(error_line(field, value, fix))
            refused.add(field)
    return problems


def main() -> int:
    """Validate the rendered answers and report problems on stderr.

    Returns:
        The exit status: 0 when every answer is acceptable, 1 otherwise.
    """
    # A terminal that cannot show a character must not turn a refusal into a crash.
    sys.stderr.reconfigure(errors="backslashreplace")
    problems = validate(json.loads(ANSWERS_JSON))
    for line in problems:
        print(line, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
