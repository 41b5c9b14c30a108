"""cdk-nag finds nothing unacknowledged; every acknowledgment is needed; cfn-lint is clean."""

import json
from typing import Any

import pytest
from cfnlint.api import lint_file  # type: ignore[import-untyped]
from cfnlint.config import ManualArgs  # type: ignore[import-untyped]

from infra.security import accepted_findings
from infra.tests.conftest import Synthesized


def plugin_reports(synthesized: Synthesized, plugin: str) -> list[dict[str, Any]]:
    reports = json.loads((synthesized.outdir / "validation-report.json").read_text())
    return [report for report in reports["pluginReports"] if report["pluginName"] == plugin]


@pytest.fixture(scope="module")
def report(synthesized: Synthesized) -> dict[str, Any]:
    (nag,) = plugin_reports(synthesized, "AwsSolutions")
    return nag


def test_cdk_nag_finds_nothing_unacknowledged(report: dict[str, Any]) -> None:
    assert report["violations"] == []
    assert report["conclusion"] == "success"


def test_every_acknowledgment_matches_a_finding(
    report: dict[str, Any], synthesized: Synthesized
) -> None:
    suppressed = {
        (finding["acknowledgedAt"], finding["acknowledgedId"])
        for finding in report["suppressedViolations"]
    }
    accepted = {
        (finding.construct.node.path, finding.rule)
        for finding in accepted_findings(synthesized.stack)
    }
    assert suppressed == accepted


def test_the_cdk_warns_about_nothing(synthesized: Synthesized) -> None:
    # With the flag annotationsInValidationReport, CDK warnings land in the same report.
    annotations = plugin_reports(synthesized, "Construct Annotations")
    assert [finding for report in annotations for finding in report["violations"]] == []


def test_every_acknowledgment_says_why(synthesized: Synthesized) -> None:
    for finding in accepted_findings(synthesized.stack):
        assert len(finding.reason) > 80, finding.rule


def test_cfn_lint_finds_nothing_but_the_cdk_s_redundant_depends_on(
    synthesized: Synthesized,
) -> None:
    # W3005: the CDK emits DependsOn next to a GetAtt that already implies it.
    template = synthesized.outdir / f"{synthesized.stack.stack_name}.template.json"
    config = ManualArgs(
        regions=[synthesized.settings.aws_region], include_checks=["I"], ignore_checks=["W3005"]
    )
    assert [str(match) for match in lint_file(template, config=config)] == []
