"""Both signing keys are configured for the environment as it is, and neither is public.

QStash signs with the current key and, once the keys are rolled, with what was the next
one; a receiver with only one of them fails every delivery after the next roll
(https://upstash.com/docs/qstash/howto/roll-signing-keys). Keys are looked up by name only:
no finding, summary or error ever carries a key.
"""

import re
from collections.abc import Mapping

from ...qstash.keys import is_public_signing_key
from .findings import ENVIRONMENT, CheckResult, Finding

CHECK = "signing keys"
CURRENT = "QSTASH_CURRENT_SIGNING_KEY"
NEXT = "QSTASH_NEXT_SIGNING_KEY"
{%- if cookiecutter.cloud == "aws-lambda" %}
ARN_VARIABLE = "QSTASH_SIGNING_KEYS_SECRET_ARN"
#: A Secrets Manager secret's ARN, e.g. `arn:aws:secretsmanager:us-east-1:123456789012:secret:x`.
_SECRET_ARN = re.compile(r"^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:\S+$")
WHERE_DEPLOYED = "the stack's Secrets Manager secret, named by QSTASH_SIGNING_KEYS_SECRET_ARN"
{%- else %}
WHERE_DEPLOYED = "Secret Manager, mapped to both variables by make deploy (--set-secrets)"
{%- endif %}
#: What the Upstash console and the dev server hand out: `sig_` and 28 characters.
_SIGNING_KEY = re.compile(r"^sig_[A-Za-z0-9]{20,}$")


def check_signing_keys(environ: Mapping[str, str], *, require: bool) -> CheckResult:
    """Check the signing-key settings of `environ` (names matched in any case, like Settings).

    Args:
        environ: The environment, e.g. `os.environ`.
        require: Report a finding when the environment has no keys at all. Without it, an
            environment with none (a laptop, CI) is noted, not reported: the deployed
            function gets them from where `WHERE_DEPLOYED` says.

    Returns:
        A finding per missing, malformed, public or duplicated key (by name, never value).
    """
    values = {name.upper(): value.strip() for name, value in environ.items() if value.strip()}
    development = values.get("ENVIRONMENT", "").lower() == "development"
{%- if cookiecutter.cloud == "aws-lambda" %}
    arn = values.get(ARN_VARIABLE)
    if arn is not None:
        if _SECRET_ARN.fullmatch(arn):
            return CheckResult(CHECK, f"both from the secret {ARN_VARIABLE} names")
        return CheckResult(
            CHECK,
            "a secret ARN",
            (
                _finding(
                    f"{ARN_VARIABLE} is not a Secrets Manager secret ARN",
                    "set it to the ARN the stack's SigningKeysSecretArn output shows "
                    "(arn:aws:secretsmanager:<region>:<account>:secret:<name>)",
                ),
            ),
        )
{%- endif %}
    keys = {name: values.get(name) for name in (CURRENT, NEXT)}
    if not any(keys.values()):
        if not require:
            return CheckResult(CHECK, f"none in this environment; deployed: {WHERE_DEPLOYED}")
        return CheckResult(
            CHECK,
            "none set",
            tuple(
                _finding(
                    f"{name} is not set", f"set it from the Upstash console ({WHERE_DEPLOYED})"
                )
                for name in keys
            ),
        )
    findings: list[Finding] = []
    for name, key in keys.items():
        other = NEXT if name == CURRENT else CURRENT
        if key is None:
            findings.append(
                _finding(
                    f"{name} is not set while {other} is: the first key roll would fail "
                    "every delivery",
                    "set both from the Upstash console (QStash > Signing keys)",
                )
            )
        elif not development and is_public_signing_key(key):
            findings.append(
                _finding(
                    f"{name} is the QStash dev server's public key or a placeholder",
                    "use the key from the Upstash console outside development "
                    "(ENVIRONMENT=development is for the local QStash double)",
                )
            )
        elif not _SIGNING_KEY.fullmatch(key):
            findings.append(
                _finding(
                    f"{name} does not look like a QStash signing key (sig_ and 28 characters)",
                    "copy it again from the Upstash console (QStash > Signing keys); the "
                    "QStash token is another value",
                )
            )
    if keys[CURRENT] is not None and keys[CURRENT] == keys[NEXT]:
        findings.append(
            _finding(
                f"{CURRENT} and {NEXT} are the same key: the next key roll would fail "
                "every delivery",
                "copy each key from its own field in the Upstash console",
            )
        )
    found = "both" if all(keys.values()) else "one of two"
    return CheckResult(CHECK, f"{found} from the environment", tuple(findings))


def _finding(problem: str, fix: str) -> Finding:
    return Finding(CHECK, ENVIRONMENT, None, problem, fix)
