"""The app's entry point, run as the CDK CLI runs it."""

import json
import os
import subprocess
import sys

from infra.tests.conftest import ROOT


def test_bad_cdk_json_ends_synth_with_one_error_line() -> None:
    # The CLI hands cdk.json's context to the app in CDK_CONTEXT_JSON.
    context = {"project": {"project_slug": "ok", "package_name": "ok", "aws_region": "us-east-1"}}
    done = subprocess.run(
        [sys.executable, "-m", "infra.app"],
        cwd=ROOT,
        env={**os.environ, "CDK_CONTEXT_JSON": json.dumps(context)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        "ERROR: cdk.json context project.architecture=None: expected one of arm64, x86_64"
    ]
