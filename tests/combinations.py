"""The prompt combinations the template supports, and the ones it refuses on purpose.

Every combination of the multiple-choice prompts is in exactly one list (a test checks
this against cookiecutter.json), so a new choice forces a decision here.
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

SUPPORTED = [
    Combo("aws-lambda", version, arch)
    for version, arch in itertools.product(PYTHON_VERSIONS, ARCHITECTURES)
]
# Google Cloud Functions arrives in a later release; until then the hook refuses it.
UNSUPPORTED = [
    Combo("gcp-cloud-functions", version, arch)
    for version, arch in itertools.product(PYTHON_VERSIONS, ARCHITECTURES)
]

# What ``cookiecutter --no-input`` picks (the first value of each choice).
DEFAULTS = Combo("aws-lambda", "3.13", "arm64")


class Variant(NamedTuple):
    """A full set of non-default answers that a baked project must survive end to end."""

    project_name: str
    project_slug: str
    package_name: str
    python_version: str
    architecture: str
    aws_region: str

    @property
    def id(self) -> str:
        """A test id naming the answers, e.g. ``py3.12-x86_64-eu-central-1-billing_worker``."""
        return f"py{self.python_version}-{self.architecture}-{self.aws_region}-{self.package_name}"

    @property
    def combo(self) -> Combo:
        """The choice prompts of this variant (its cloud is the only one available today)."""
        return Combo("aws-lambda", self.python_version, self.architecture)


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
