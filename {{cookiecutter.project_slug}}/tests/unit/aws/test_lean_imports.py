"""The ingest entry point imports nothing its configuration does not use (README "Cold start")."""

import json
import subprocess
import sys

from {{ cookiecutter.package_name }}_devkit.signer import new_signing_key

ENTRY_POINT = "{{ cookiecutter.package_name }}.entrypoints.lambda_ingest"
NOT_NEEDED = ("boto3", "s3transfer", "aws_lambda_powertools.utilities.parameters")
SCRIPT = f"""
import json, sys
import {ENTRY_POINT}
print(json.dumps([name for name in {NOT_NEEDED!r} if name in sys.modules]))
"""


def imported_in_fresh_interpreter(environment: dict[str, str]) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        env={
            "PATH": "/usr/bin:/bin",
            "AWS_DEFAULT_REGION": "us-east-1",
            "JOBS_QUEUE_URL": "https://sqs.us-east-1.amazonaws.com/123456789012/jobs",
            "APP_TABLE_NAME": "deliveries",
            **environment,
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    names: list[str] = json.loads(done.stdout.splitlines()[-1])
    return names


def test_keys_from_the_environment_load_neither_boto3_nor_powertools_parameters() -> None:
    imported = imported_in_fresh_interpreter(
        {
            "QSTASH_CURRENT_SIGNING_KEY": new_signing_key(),
            "QSTASH_NEXT_SIGNING_KEY": new_signing_key(),
            "PUBLIC_BASE_URL": "https://jobs.example.com",
        }
    )
    assert imported == []


def test_a_secret_and_a_parameter_load_powertools_parameters_at_start() -> None:
    # Built at start-up (and so in a SnapStart snapshot), read on the first delivery.
    imported = imported_in_fresh_interpreter(
        {
            "QSTASH_SIGNING_KEYS_SECRET_ARN": "arn:aws:secretsmanager:us-east-1:1:secret:k",
            "PUBLIC_BASE_URL_PARAMETER": "/jobs/public-base-url",
        }
    )
    assert "aws_lambda_powertools.utilities.parameters" in imported
