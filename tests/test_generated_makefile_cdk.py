"""The generated Makefile's deploy verbs run the pinned CDK CLI the way the README says.

Stand-ins for ``uv``, ``npm`` and ``npx`` record how they were called (``npx`` also records
the first PATH entry it saw and the jsii switch); ``npm ci`` creates what a real install
leaves in node_modules. No network, no Node, no AWS.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Bake
from tests.test_generated_makefile import write_executable

MAKE = shutil.which("make")
pytestmark = pytest.mark.skipif(MAKE is None, reason="make is not installed")

FAKE_UV = """#!/bin/sh
echo "uv $*" >> "{log}"
"""
FAKE_NPM = """#!/bin/sh
echo "npm $*" >> "{log}"
mkdir -p node_modules/aws-cdk
echo '{{}}' > node_modules/.package-lock.json
"""
FAKE_NPX = """#!/bin/sh
jsii="$JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION"
echo "npx $* | PATH starts ${{PATH%%:*}} | jsii $jsii" >> "{log}"
"""


class Tools:
    """Stand-in uv (in a folder of its own), npm and npx, and the log of their calls."""

    def __init__(self, root: Path) -> None:
        """Create the stand-ins below ``root``."""
        self.log = root / "calls.log"
        root.mkdir(parents=True)
        self.log.touch()
        self.uv = write_executable(root / "uv-home" / "uv", FAKE_UV.format(log=self.log))
        self.bin = root / "bin"
        write_executable(self.bin / "npm", FAKE_NPM.format(log=self.log))
        write_executable(self.bin / "npx", FAKE_NPX.format(log=self.log))

    def make(self, project_dir: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
        """Run ``make`` in the project with the stand-ins first on PATH."""
        assert MAKE is not None
        return subprocess.run(
            [MAKE, "--no-print-directory", *arguments, f"UV={self.uv}"],
            cwd=project_dir,
            env={"PATH": f"{self.bin}{os.pathsep}/usr/bin{os.pathsep}/bin", "HOME": str(self.bin)},
            capture_output=True,
            text=True,
            check=False,
        )

    def calls(self) -> list[str]:
        """Every recorded call, in order, except uv's own version checks."""
        lines = self.log.read_text(encoding="utf-8").splitlines()
        return [line for line in lines if line != "uv --version"]


@pytest.fixture
def project_dir(bake: Any) -> Path:
    baked: Bake = bake()
    return baked.project_dir


@pytest.fixture
def tools(tmp_path: Path) -> Tools:
    return Tools(tmp_path / "tools")


def cdk_call(tools: Tools, arguments: str) -> str:
    return f"npx --no-install cdk {arguments} | PATH starts {tools.uv.parent}/ | jsii 20"


def test_synth_installs_the_pinned_cli_synthesizes_and_lints(
    project_dir: Path, tools: Tools
) -> None:
    completed = tools.make(project_dir, "synth")
    assert completed.returncode == 0, completed.stderr
    assert tools.calls() == [
        "uv sync --locked --quiet",
        "npm ci --no-audit --no-fund",
        cdk_call(tools, "synth --quiet"),
        "uv run --locked cfn-lint",
    ]


def test_synth_installs_the_cli_only_once(project_dir: Path, tools: Tools) -> None:
    tools.make(project_dir, "synth")
    tools.log.write_text("", encoding="utf-8")
    completed = tools.make(project_dir, "synth")
    assert completed.returncode == 0, completed.stderr
    assert [call for call in tools.calls() if call.startswith("npm")] == []


def test_deploy_ships_the_assembly_synth_checked(project_dir: Path, tools: Tools) -> None:
    completed = tools.make(project_dir, "deploy", "CDK_ARGS=--profile prod")
    assert completed.returncode == 0, completed.stderr
    calls = tools.calls()
    assert calls[-3:] == [
        cdk_call(tools, "synth --quiet --profile prod"),
        "uv run --locked cfn-lint",
        cdk_call(tools, "deploy --app cdk.out --profile prod"),
    ]


@pytest.mark.parametrize("verb", ["diff", "destroy", "bootstrap"])
def test_other_cdk_verbs_run_the_pinned_cli(project_dir: Path, tools: Tools, verb: str) -> None:
    completed = tools.make(project_dir, verb, "CDK_ARGS=-c snap_start=false")
    assert completed.returncode == 0, completed.stderr
    assert tools.calls()[-1] == cdk_call(tools, f"{verb} -c snap_start=false")


def test_synth_without_npm_says_to_install_node(project_dir: Path, tools: Tools) -> None:
    (tools.bin / "npm").unlink()
    env_path = f"{tools.bin}{os.pathsep}/nonexistent"
    assert MAKE is not None
    completed = subprocess.run(
        [MAKE, "--no-print-directory", "synth", f"UV={tools.uv}"],
        cwd=project_dir,
        env={"PATH": env_path, "HOME": str(tools.bin)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode != 0
    assert "npm is missing: install Node.js 20 or newer" in completed.stderr


def test_package_lock_pins_the_cli_package_json_names(project_dir: Path) -> None:
    package = json.loads((project_dir / "package.json").read_text(encoding="utf-8"))
    lock = json.loads((project_dir / "package-lock.json").read_text(encoding="utf-8"))
    pinned = package["devDependencies"]["aws-cdk"]
    assert lock["packages"][""]["devDependencies"] == {"aws-cdk": pinned}
    assert lock["packages"]["node_modules/aws-cdk"]["version"] == pinned
    assert lock["name"] == lock["packages"][""]["name"] == package["name"]
