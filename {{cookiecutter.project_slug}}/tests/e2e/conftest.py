"""The whole local system on 127.0.0.1, one per test module, for either target.

{%- if cookiecutter.cloud == "aws-lambda" %}
AWS: moto, the QStash double, the app under uvicorn and the SQS worker, in this process.
{%- else %}
Google Cloud: the Firestore emulator (one per session), the QStash double and a real
functions-framework process serving the function, which imports the test jobs first.
{%- endif %}
The test jobs (`jobs.py`) record their runs in files of a folder every process sees.
"""

from collections.abc import Iterator
from pathlib import Path

import pytest

{% if cookiecutter.cloud == "aws-lambda" -%}
from {{ cookiecutter.package_name }}_devkit.qstash_double import DoubleSettings
from {{ cookiecutter.package_name }}_devkit.stack import LocalSystem, local_system
{%- else -%}
from {{ cookiecutter.package_name }}_devkit.firestore_emulator import (
    FirestoreEmulator,
    firestore_emulator,
)
from {{ cookiecutter.package_name }}_devkit.gcp_stack import LocalSystem, local_system
from {{ cookiecutter.package_name }}_devkit.qstash_double import DoubleSettings
{%- endif %}

from .jobs import REFUSED_LABELS, RUNS, STATE_DIR_VARIABLE


@pytest.fixture(scope="session")
def state_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The folder the test jobs record in, named in the environment of every process."""
    folder = tmp_path_factory.mktemp("e2e-state")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(STATE_DIR_VARIABLE, str(folder))
        yield folder
{%- if cookiecutter.cloud == "gcp-cloud-functions" %}


@pytest.fixture(scope="session")
def emulator() -> Iterator[FirestoreEmulator]:
    """One Firestore emulator for the session; each system uses a project of its own."""
    with firestore_emulator() as running:
        yield running
{%- endif %}


@pytest.fixture(scope="module")
{%- if cookiecutter.cloud == "aws-lambda" %}
def running_system(state_dir: Path) -> Iterator[LocalSystem]:
    """One system per test module (a fresh double, fresh queues and tables).

    QStash's clock is manual: it moves only when a test advances it, or when
    `system.wait_until_settled()` jumps over a back-off, so no wait depends on machine speed.
    """
    with local_system(DoubleSettings(time_scale=None)) as system:
        yield system
{%- else %}
def running_system(state_dir: Path, emulator: FirestoreEmulator) -> Iterator[LocalSystem]:
    """One system per test module (a fresh double and function, a Firestore project of its own).

    QStash's clock is manual: it moves only when a test advances it, or when
    `system.wait_until_settled()` jumps over a back-off, so no wait depends on machine speed.
    """
    with local_system(
        DoubleSettings(time_scale=None),
        firestore=emulator,
        job_modules=[__package__ + ".jobs"],
        cwd=Path(__file__).resolve().parents[2],
    ) as system:
        yield system
{%- endif %}


@pytest.fixture
def system(running_system: LocalSystem, monkeypatch: pytest.MonkeyPatch) -> LocalSystem:
    """The module's system, its environment set (for the CLI), and the job records cleared."""
    for name, value in running_system.environment().items():
        monkeypatch.setenv(name, value)
    RUNS.clear()
    REFUSED_LABELS.clear()
    return running_system
