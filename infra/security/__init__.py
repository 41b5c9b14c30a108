"""The stack's security checks (cdk-nag) and every accepted finding, with its reason."""

from .checks import Accepted, accepted_findings, apply_security_checks

__all__ = ["Accepted", "accepted_findings", "apply_security_checks"]
