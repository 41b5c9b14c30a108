"""`schedules plan | apply`: make QStash hold the schedules and URL groups the jobs declare.

{%- if cookiecutter.cloud == "aws-lambda" %}

The same reconcile `cdk deploy` runs in its custom resource, for teams that deploy another
way (and to see what a deploy would change). The owner defaults to the project slug, which
is also the stack's name, so both manage the same schedules.
{%- else %}

The same reconcile `make deploy` runs once the function is deployed, to see what the next
deploy would change or to finish one whose apply failed. The owner defaults to the project
slug, which is also the owner `make deploy` applies as, so both manage the same schedules.
{%- endif %}
"""

import argparse

from ..config import Settings
from ..errors import ConfigurationError
from ..jobs import registry
from ..qstash.ownership import Owner, Target, target
from ..qstash.reconcile import plan_changes, reconcile
from ..qstash.rest import QStashApi
from ..qstash.schedule_api import ScheduleApi
from ..qstash.schedules import Declarations
from .output import PROG, Output


def run_schedules_plan(args: argparse.Namespace, settings: Settings) -> Output:
    """`schedules plan`: read QStash and print what `apply` would change (changes nothing)."""
    wanted = _target(args, settings)
    with QStashApi.from_settings(settings) as api:
        plan = plan_changes(ScheduleApi(api), wanted)
    lines = plan.lines()
    if plan.changes:
        lines.append(f"nothing was changed: `{PROG} schedules apply --owner {plan.owner}` does it")
    return Output(plan.to_json() | {"applied": False}, "\n".join(lines))


def run_schedules_apply(args: argparse.Namespace, settings: Settings) -> Output:
    """`schedules apply`: make the changes `plan` shows."""
    wanted = _target(args, settings)
    with QStashApi.from_settings(settings) as api:
        plan = reconcile(ScheduleApi(api), wanted)
    lines = plan.lines()
    if plan.changes:
        lines.append(f"applied {len(plan.changes)} change(s)")
    return Output(plan.to_json() | {"applied": True}, "\n".join(lines))


def _target(args: argparse.Namespace, settings: Settings) -> Target:
    """What QStash must hold: the registry's declarations, at `PUBLIC_BASE_URL`, for `--owner`.

    Raises:
        ConfigurationError: `PUBLIC_BASE_URL` is not set, or the owner is malformed.
        ScheduleDeclarationError: A declaration is wrong (one line naming it).
        UnsafeDestinationError: `PUBLIC_BASE_URL` is not public https and QStash not local.
    """
    if not settings.public_base_url:
        raise ConfigurationError(
            "PUBLIC_BASE_URL is not set: schedules deliver to <PUBLIC_BASE_URL>/qstash/jobs/<job> "
            "{% if cookiecutter.cloud == "aws-lambda" %}(the stack's PublicBaseUrl output){% else %}(the function's URL, which `make deploy` prints){% endif %}"
        )
    return target(
        Declarations.from_registry(registry),
        owner=Owner(args.owner),
        public_base_url=settings.public_base_url,
        qstash_url=settings.qstash_url,
    )
