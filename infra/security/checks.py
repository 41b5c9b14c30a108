"""cdk-nag's AwsSolutions rules on the stack; each finding we accept is listed with why.

A finding that is not acknowledged here fails `cdk synth` (and the tests). An
acknowledgment names one rule on one construct, never a whole stack, so a new resource
that breaks the same rule is still reported.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from aws_cdk import Acknowledgment, Validations
from cdk_nag import AwsSolutionsChecks
from constructs import IConstruct

if TYPE_CHECKING:
    from ..stack import QStashJobsStack

RUNTIME_REASON = (
    "The runtime is the Python version chosen when the project was generated, the one its "
    "tests and bundle's bytecode use (python_version in cdk.json, .python-version); cdk-nag "
    "wants the newest Lambda runtime. Move both together when upgrading."
)
ROTATION_REASON = (
    "The values are issued by Upstash: the signing keys roll in the Upstash console, and the "
    "receiver accepts the current and the next key, so a roll needs no downtime. A rotation "
    "function could not create new QStash keys; after a roll in the console, write the new "
    "pair with aws secretsmanager put-secret-value (README)."
)


@dataclass(frozen=True)
class Accepted:
    """One finding we accept.

    Attributes:
        construct: Where it is reported (the acknowledgment covers that construct's tree).
        rule: The rule as cdk-nag names it, e.g. `AwsSolutions::AwsSolutions-L1`.
        reason: Why it is acceptable here.
    """

    construct: IConstruct
    rule: str
    reason: str


def accepted_findings(stack: "QStashJobsStack") -> Iterator[Accepted]:
    """Yield the findings this stack accepts, with their reasons."""
    for app_function in (stack.ingest, stack.worker, stack.schedules):
        yield Accepted(
            app_function.app_function.function, "AwsSolutions::AwsSolutions-L1", RUNTIME_REASON
        )
    yield Accepted(stack.secrets.secret, "AwsSolutions::AwsSolutions-SMG4", ROTATION_REASON)


def apply_security_checks(stack: "QStashJobsStack") -> None:
    """Run AwsSolutions on the stack's app at synth, and acknowledge the accepted findings.

    The synth writes `validation-report.json` into the cloud assembly: the findings, and the
    acknowledged ones with their reasons.

    Args:
        stack: The stack.
    """
    app = stack.node.root
    Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    for finding in accepted_findings(stack):
        Validations.of(finding.construct).acknowledge(
            Acknowledgment(id=finding.rule, reason=finding.reason)
        )
