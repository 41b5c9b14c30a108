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
