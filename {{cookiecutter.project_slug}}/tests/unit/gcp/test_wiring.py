"""The Cloud Functions wiring: what a function refuses to start without."""

import pytest

from {{ cookiecutter.package_name }}.config import Settings
from {{ cookiecutter.package_name }}.errors import ConfigurationError, HandoffError
from {{ cookiecutter.package_name }}.gcp.wiring import gcp_services
from {{ cookiecutter.package_name }}.handoff import JobEnvelope
from {{ cookiecutter.package_name }}_devkit.firestore_emulator import FirestoreEmulator

TOKEN = "a-qstash-token-from-the-console-0123456789"  # noqa: S105 - made up


def test_missing_public_base_url_stops_the_function_outside_development(
    emulator: FirestoreEmulator,
) -> None:
    settings = Settings(qstash_token=TOKEN, google_cloud_project=emulator.project)
    with pytest.raises(ConfigurationError, match="PUBLIC_BASE_URL must be set"):
        gcp_services(settings)


def test_missing_public_base_url_in_development_refuses_every_hand_off(
    emulator: FirestoreEmulator,
) -> None:
    settings = Settings(environment="development", google_cloud_project=emulator.project)
    services = gcp_services(settings)
    with pytest.raises(HandoffError, match="PUBLIC_BASE_URL"):
        services.handoff.send(JobEnvelope("tally", None, "msg_1"))


def test_missing_qstash_token_stops_the_function(emulator: FirestoreEmulator) -> None:
    settings = Settings(
        public_base_url="https://europe-west1-p.cloudfunctions.net/f",
        google_cloud_project=emulator.project,
    )
    with pytest.raises(ConfigurationError, match="QSTASH_TOKEN"):
        gcp_services(settings)
