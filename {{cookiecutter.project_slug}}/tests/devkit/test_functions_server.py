"""The dev kit's functions-framework runner: the real process serving the entry point."""

import httpx
import pytest

from {{ cookiecutter.package_name }}_devkit.functions_server import functions_server
from {{ cookiecutter.package_name }}_devkit.processes import StartError, group_exists

# Enough for the app to build (nothing is called: no delivery reaches it in these tests).
DEVELOPMENT = {
    "ENVIRONMENT": "development",
    "PUBLIC_BASE_URL": "http://127.0.0.1:9",
    "QSTASH_URL": "http://127.0.0.1:9",
    "QSTASH_TOKEN": "local-token",
    "GOOGLE_CLOUD_PROJECT": "demo-functions-server",
    "FIRESTORE_EMULATOR_HOST": "127.0.0.1:9",
}


def test_entry_point_answers_health_through_functions_framework() -> None:
    with functions_server(DEVELOPMENT) as server:
        response = httpx.get(f"{server.base_url}/health", timeout=10)
        group = server.process_group

    assert response.status_code == 200
    assert not group_exists(group)  # gunicorn and its uvicorn worker


def test_function_that_cannot_start_is_reported_with_its_log() -> None:
    production_without_url = DEVELOPMENT | {
        "ENVIRONMENT": "production",
        "PUBLIC_BASE_URL": "",
        "QSTASH_URL": "https://qstash.upstash.io",
    }

    with pytest.raises(StartError) as raised, functions_server(production_without_url):
        pytest.fail("the block must not run")

    assert "functions-framework exited" in str(raised.value)
    assert "PUBLIC_BASE_URL must be set" in str(raised.value)
