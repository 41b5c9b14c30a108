"""What an AWS bake gets to deploy with: the CDK pins, cfn-lint's settings, ignored outputs."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from tests.combinations import HOSTILE_VARIANT

# What the CDK app imports; the template's environment tests infra/ with the same versions.
CDK_DISTRIBUTIONS = ("aws-cdk-lib", "constructs", "cdk-nag", "cfn-lint")


def pins(requirements: list[Any]) -> dict[str, str]:
    """`name==version` strings of a dependency list, by name (other entries skipped)."""
    return dict(
        requirement.split("==", 1)
        for requirement in requirements
        if isinstance(requirement, str) and "==" in requirement
    )


@pytest.fixture
def project_dir(bake: Any) -> Path:
    return Path(bake().project_dir)


def test_infra_group_pins_the_versions_infra_is_tested_with(
    project_dir: Path, template_dir: Path
) -> None:
    template = tomllib.loads((template_dir / "pyproject.toml").read_text(encoding="utf-8"))
    project = tomllib.loads((project_dir / "pyproject.toml").read_text(encoding="utf-8"))
    tested = pins(template["dependency-groups"]["dev"])
    shipped = pins(project["dependency-groups"]["infra"])
    assert shipped == {name: tested[name] for name in CDK_DISTRIBUTIONS}


def test_dev_group_includes_the_infra_group(project_dir: Path) -> None:
    project = tomllib.loads((project_dir / "pyproject.toml").read_text(encoding="utf-8"))
    assert {"include-group": "infra"} in project["dependency-groups"]["dev"]


def test_cfn_lint_checks_the_region_the_stack_deploys_to(bake: Any) -> None:
    project_dir = Path(bake(**HOSTILE_VARIANT._asdict()).project_dir)
    settings = (project_dir / ".cfnlintrc").read_text(encoding="utf-8")
    assert f"regions:\n  - {HOSTILE_VARIANT.aws_region}\n" in settings


def test_cfn_lint_ignores_only_the_cdk_s_redundant_depends_on(project_dir: Path) -> None:
    settings = (project_dir / ".cfnlintrc").read_text(encoding="utf-8")
    assert "ignore_checks:\n  - W3005\n" in settings
    assert settings.count("\n  - W") == 1


def test_build_outputs_are_not_committed(project_dir: Path) -> None:
    ignored = (project_dir / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert {"cdk.out/", "node_modules/"} <= set(ignored)
