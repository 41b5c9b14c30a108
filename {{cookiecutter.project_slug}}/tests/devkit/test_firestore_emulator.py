"""The dev kit's Firestore emulator runner: the real emulator, and stand-ins for its failures.

The stand-ins are shell commands that behave as `gcloud emulators firestore start` does or
must not (a wrapper with a child, an early exit, silence), so the runner's own logic is
tested in milliseconds; the real emulator is started for what only it can show.
"""

import subprocess
from collections.abc import Iterator

import httpx
import pytest
from google.cloud import firestore

from {{ cookiecutter.package_name }}_devkit.firestore_emulator import (
    READY_LINE,
    EmulatorError,
    FirestoreEmulator,
    firestore_emulator,
)
from {{ cookiecutter.package_name }}_devkit.processes import group_exists

# Like gcloud: a wrapper that starts a long-lived child, says it runs, and waits.
WRAPPER_WITH_CHILD = ["bash", "-c", f"sleep 600 & echo '{READY_LINE}.'; wait"]


@pytest.fixture(scope="module")
def emulator() -> Iterator[FirestoreEmulator]:
    with firestore_emulator("demo-devkit-tests") as running:
        yield running


@pytest.fixture
def client(emulator: FirestoreEmulator, monkeypatch: pytest.MonkeyPatch) -> firestore.Client:
    for name, value in emulator.environment().items():
        monkeypatch.setenv(name, value)
    emulator.reset()
    return firestore.Client(project=emulator.project)


def test_environment_points_the_firestore_client_at_the_emulator(
    client: firestore.Client,
) -> None:
    client.collection("notes").document("a").set({"label": "hello"})

    snapshot = client.collection("notes").document("a").get()
    assert snapshot.to_dict() == {"label": "hello"}


def test_reset_deletes_every_document_of_the_project(
    emulator: FirestoreEmulator, client: firestore.Client
) -> None:
    client.collection("notes").document("a").set({"label": "hello"})
    client.collection("other").document("b").collection("nested").document("c").set({"n": 1})

    emulator.reset()

    assert list(client.collection("notes").stream()) == []
    assert list(client.collection_group("nested").stream()) == []


def test_reset_leaves_other_projects_alone(
    emulator: FirestoreEmulator, client: firestore.Client
) -> None:
    other = firestore.Client(project="demo-devkit-other")
    other.collection("notes").document("kept").set({"label": "kept"})

    emulator.reset()

    assert other.collection("notes").document("kept").get().exists


def test_reset_of_a_project_never_written_succeeds(emulator: FirestoreEmulator) -> None:
    emulator.reset("demo-devkit-never-written")


def test_real_emulator_and_its_java_child_are_gone_after_the_block() -> None:
    with firestore_emulator() as running:
        assert httpx.get(running.base_url, timeout=10).text.strip() == "Ok"
        group = running.process_group
        members = subprocess.run(
            ["pgrep", "-g", str(group)],  # noqa: S607 - pgrep from PATH
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        assert len(members) >= 3  # gcloud, the bash wrapper, java

    assert not group_exists(group)


def test_wrapper_and_its_child_are_stopped_after_the_block() -> None:
    with firestore_emulator(argv=WRAPPER_WITH_CHILD) as running:
        group = running.process_group
        assert group_exists(group)

    assert not group_exists(group)


def test_ctrl_c_inside_the_block_stops_the_emulator() -> None:
    groups = []

    def interrupted() -> None:
        with firestore_emulator(argv=WRAPPER_WITH_CHILD) as running:
            groups.append(running.process_group)
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        interrupted()

    (group,) = groups
    assert not group_exists(group)


def test_emulator_that_exits_before_it_runs_is_reported_with_its_output() -> None:
    failing = ["bash", "-c", "echo 'Java 11 or newer is required'; exit 3"]

    with pytest.raises(EmulatorError) as raised, firestore_emulator(argv=failing):
        pytest.fail("the block must not run")

    assert "exited with status 3" in str(raised.value)
    assert str(raised.value).endswith("Java 11 or newer is required")


def test_emulator_that_never_says_it_runs_is_stopped_and_reported() -> None:
    # It never prints the ready line, so any timeout ends the wait; its length is no race.
    silent = ["bash", "-c", "echo 'starting'; sleep 600 & wait"]

    with pytest.raises(EmulatorError) as raised, firestore_emulator(argv=silent, timeout=0.5):
        pytest.fail("the block must not run")

    assert f"did not say {READY_LINE!r}" in str(raised.value)
    assert str(raised.value).endswith("starting")


def test_missing_gcloud_says_how_to_install_it() -> None:
    with (
        pytest.raises(FileNotFoundError, match="Google Cloud CLI"),
        firestore_emulator(argv=["/nonexistent/gcloud"]),
    ):
        pytest.fail("the block must not run")
