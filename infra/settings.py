"""The project's answers and deploy switches, read from cdk.json's context.

Cookiecutter writes the answers into the generated cdk.json under `project`; the switches sit
beside it, and `cdk synth -c name=value` overrides any of them for one run (such values
arrive as strings, so `-c snap_start=false` works). Every value is checked here, once, so a
hand-edited cdk.json fails `cdk synth` with one line that names the key.
"""

import re
from dataclasses import dataclass
from typing import Any, Literal, cast

from constructs import Node

PYTHON_VERSIONS = ("3.12", "3.13")
ARCHITECTURES = ("arm64", "x86_64")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")

# The slug names the stack, and the CDK derives function names (at most 64 characters) from it.
_SLUG = re.compile(r"^(?=.{1,40}$)[a-z][a-z0-9]*(-[a-z0-9]+)*$")
_PACKAGE = re.compile(r"^[a-z][a-z0-9_]*$")
_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-[1-9][0-9]?$")
# https://host[:port][/path], no query, fragment or trailing slash: QStash signs the URL it
# calls, and the app appends each route's path to this base.
_BASE_URL = re.compile(r"^https://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[A-Za-z0-9._~%!$&'()*+,;=:@-]+)*$")
# QStash's REST API: the global endpoint, or a regional one such as the US region's.
DEFAULT_QSTASH_URL = "https://qstash.upstash.io"
_TOPIC_ARN = re.compile(r"^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}$")
_TRUE = ("true", "1", "yes", "on")
_FALSE = ("false", "0", "no", "off")


class ContextError(ValueError):
    """A cdk.json context value is missing or malformed; the message says which and how."""


@dataclass(frozen=True)
class ProjectSettings:
    """Everything the stack needs to know about the project.

    Attributes:
        project_slug: Distribution name; also the stack name, e.g. `billing-jobs`.
        package_name: The application's import name, e.g. `billing_jobs`.
        aws_region: Region to deploy to, e.g. `us-east-1`.
        architecture: Lambda CPU architecture, `arm64` or `x86_64`.
        python_version: Lambda runtime version, `3.12` or `3.13`.
        snap_start: Whether the ingest function uses SnapStart (billed per cached GB-second).
        public_base_url: A custom domain in front of the Function URL, e.g.
            `https://jobs.example.com`; empty: QStash calls the Function URL itself.
        log_level: The application's logging level.
        alarm_topic_arn: SNS topic the alarms notify; empty: alarms only change state.
        retain_data: Keep the app table (delivery outcomes, dead letters) on `cdk destroy`.
        qstash_url: QStash's REST API, where the deploy reconciles the schedules, e.g.
            `https://qstash-us-east-1.upstash.io` for a US-region QStash
            (https://upstash.com/docs/qstash/howto/multi-region).
    """

    project_slug: str
    package_name: str
    aws_region: str
    architecture: Literal["arm64", "x86_64"]
    python_version: Literal["3.12", "3.13"]
    snap_start: bool = True
    public_base_url: str = ""
    log_level: str = "INFO"
    alarm_topic_arn: str = ""
    retain_data: bool = True
    qstash_url: str = DEFAULT_QSTASH_URL

    @property
    def stack_name(self) -> str:
        """The CloudFormation stack name: the project slug."""
        return self.project_slug

    @classmethod
    def from_context(cls, node: Node) -> "ProjectSettings":
        """Read and check the settings from a construct tree's context.

        Args:
            node: Any node of the app, e.g. `app.node`.

        Returns:
            The checked settings.

        Raises:
            ContextError: A value is missing or malformed.
        """
        project = node.try_get_context("project")
        if not isinstance(project, dict):
            raise ContextError(
                "cdk.json context 'project' is missing: run cdk from the generated project's "
                "root, where cookiecutter wrote cdk.json"
            )
        return cls(
            project_slug=_matching(
                project, "project_slug", _SLUG, "at most 40 of a-z, 0-9, -, e.g. billing-jobs"
            ),
            package_name=_matching(project, "package_name", _PACKAGE, "e.g. billing_jobs"),
            aws_region=_matching(project, "aws_region", _REGION, "e.g. us-east-1"),
            architecture=cast(
                "Literal['arm64', 'x86_64']",
                _one_of("project.architecture", project.get("architecture"), ARCHITECTURES),
            ),
            python_version=cast(
                "Literal['3.12', '3.13']",
                _one_of("project.python_version", project.get("python_version"), PYTHON_VERSIONS),
            ),
            snap_start=_flag(node, "snap_start", default=True),
            public_base_url=_optional(node, "public_base_url", _BASE_URL, "https://host[/path]"),
            log_level=_one_of("log_level", _text(node, "log_level", "INFO").upper(), LOG_LEVELS),
            alarm_topic_arn=_optional(node, "alarm_topic_arn", _TOPIC_ARN, "an SNS topic ARN"),
            retain_data=_flag(node, "retain_data", default=True),
            qstash_url=_optional(node, "qstash_url", _BASE_URL, "https://host[/path]")
            or DEFAULT_QSTASH_URL,
        )


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else f"{text[:57]}..."


def _matching(values: dict[str, Any], key: str, pattern: re.Pattern[str], hint: str) -> str:
    value = values.get(key)
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise ContextError(f"cdk.json context project.{key}={_shown(value)}: expected {hint}")
    return value


def _one_of(key: str, value: object, choices: tuple[str, ...]) -> str:
    if not isinstance(value, str) or value not in choices:
        raise ContextError(
            f"cdk.json context {key}={_shown(value)}: expected one of {', '.join(choices)}"
        )
    return value


def _text(node: Node, key: str, default: str) -> str:
    value = node.try_get_context(key)
    if value is None:
        return default
    if not isinstance(value, str):
        raise ContextError(f"cdk.json context {key}={_shown(value)}: expected a string")
    return value.strip()


def _optional(node: Node, key: str, pattern: re.Pattern[str], hint: str) -> str:
    value = _text(node, key, "")
    if value and not pattern.fullmatch(value):
        raise ContextError(
            f"cdk.json context {key}={_shown(value)}: expected {hint}, or an empty string"
        )
    return value


def _flag(node: Node, key: str, *, default: bool) -> bool:
    value = node.try_get_context(key)
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _TRUE + _FALSE:
        return value.strip().lower() in _TRUE
    raise ContextError(f"cdk.json context {key}={_shown(value)}: expected true or false")
