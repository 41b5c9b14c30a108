"""The prompt combinations the template supports, and the ones it refuses on purpose.

Every combination of the multiple-choice prompts is in exactly one list (a test checks
this against cookiecutter.json), so a new choice forces a decision here. A prompt that does
not apply to the chosen target (``architecture`` on Google Cloud Functions) is asked all the
same and ignored, so its every answer is supported there.
"""

from __future__ import annotations

import itertools
from typing import NamedTuple


class Combo(NamedTuple):
    """One choice of the template's multiple-choice prompts."""

    cloud: str
    python_version: str
    architecture: str

    @property
    def id(self) -> str:
        """A readable test id, e.g. ``aws-lambda-py3.13-arm64``."""
        return f"{self.cloud}-py{self.python_version}-{self.architecture}"


PYTHON_VERSIONS = ("3.13", "3.12")
ARCHITECTURES = ("arm64", "x86_64")

CLOUDS = ("aws-lambda", "gcp-cloud-functions")
# The prompts only one target reads; the others' answers are ignored (docs/prompts.md).
TARGET_PROMPTS = {
    "aws-lambda": ("architecture", "aws_region"),
    "gcp-cloud-functions": ("gcp_region",),
}

SUPPORTED = [
    Combo(cloud, version, arch)
    for cloud, version, arch in itertools.product(CLOUDS, PYTHON_VERSIONS, ARCHITECTURES)
]
# Nothing is refused today: each target runs on both Python versions, and the one choice
# that means nothing on GCP (the Lambda architecture) is ignored there, not refused.
UNSUPPORTED: list[Combo] = []

# What ``cookiecutter --no-input`` picks (the first value of each choice).
DEFAULTS = Combo("aws-lambda", "3.13", "arm64")
GCP_DEFAULTS = Combo("gcp-cloud-functions", "3.13", "arm64")


class Variant(NamedTuple):
    """A full set of non-default answers that a baked project must survive end to end.

    The prompts of the other target keep their defaults: they are ignored (``TARGET_PROMPTS``).
    """

    project_name: str
    project_slug: str
    package_name: str
    python_version: str
    cloud: str = "aws-lambda"
    architecture: str = "arm64"
    aws_region: str = "us-east-1"
    gcp_region: str = "us-central1"

    @property
    def id(self) -> str:
        """A test id naming the answers, e.g. ``py3.12-x86_64-eu-central-1-billing_worker``."""
        if self.cloud == "gcp-cloud-functions":
            return f"gcp-py{self.python_version}-{self.gcp_region}-{self.package_name}"
        return f"py{self.python_version}-{self.architecture}-{self.aws_region}-{self.package_name}"

    @property
    def combo(self) -> Combo:
        """The choice prompts of this variant."""
        return Combo(self.cloud, self.python_version, self.architecture)

    def applying_answers(self) -> dict[str, str]:
        """The answers its target reads: every shared prompt and the target's own ones."""
        ignored = {
            prompt
            for cloud, prompts in TARGET_PROMPTS.items()
            if cloud != self.cloud
            for prompt in prompts
        }
        return {field: value for field, value in self._asdict().items() if field not in ignored}


# Every answer that names the project differs from the defaults, so that a name hard-coded
# anywhere shows up; the project name has non-ASCII letters, double quotes and an apostrophe.
# The slug and the package name are as long as the hook allows (MAX_SLUG_LENGTH, 40; the
# package name derived from a slug is as long), so a template line laid out for the 11-character
# default that overflows ruff's 100 columns, or re-wraps under `ruff format`, fails the bake's lint.
HOSTILE_VARIANT = Variant(
    project_name='Ünïcode "Quoted" O\'Brien Jobs',
    project_slug="billing-jobs-x-settlement-reconciliation",
    package_name="billing_worker_settlement_reconciliation",
    python_version="3.12",
    architecture="x86_64",
    aws_region="eu-central-1",
)

# The same for Google Cloud Functions: other names again (a 40-character slug and package
# name of their own), Python 3.12 and a region other than the default.
HOSTILE_GCP_VARIANT = Variant(
    project_name='Zoë\'s "Ünïcode" Cloud Jobs',
    project_slug="ledger-jobs-x-cloud-function-settlements",
    package_name="ledger_worker_cloud_functions_settlement",
    python_version="3.12",
    cloud="gcp-cloud-functions",
    gcp_region="europe-west3",
)
