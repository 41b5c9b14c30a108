"""The CloudFormation custom resource that makes QStash hold the stack's schedules and URL groups.

CDK's `custom_resources.Provider` calls `on_event` with the CloudFormation request
(`RequestType` Create, Update or Delete, `ResourceProperties`, `PhysicalResourceId` on
Update and Delete; https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/crpg-ref-requests.html).
The answer is `{"PhysicalResourceId": ..., "Data": {...}}`; raising fails the operation, with
the error's message as CloudFormation's reason.

Create and Update reconcile to the declarations in `ResourceProperties`; Delete to none, so
every schedule and endpoint the owner holds goes. QStash itself is the state: what the
owner holds is found by its prefix, so `OldResourceProperties` is not needed, a rollback
(an Update back to the old properties) restores the old schedules, and a run that failed
half-way is finished by the next. A failed Create gets no Delete from the framework
(it answers that Delete itself), so a failed Create removes what it had created. The
physical id is one per owner: a new `Owner` replaces the resource, and the Delete of the
old one (with the old properties) removes the old owner's schedules.

`ResourceProperties` (strings, as CloudFormation passes them): `Owner` (the stack's name),
`PublicBaseUrl`, `QStashSecretArn` (JSON secret with `QSTASH_TOKEN`), `QStashUrl`
(optional) and `Declarations` (`qstash.schedules.declarations_document`, written at synth).
"""

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Self

from ..config import DEFAULT_QSTASH_URL
from ..errors import AppError, ConfigurationError
from ..qstash.ownership import Owner, Target, target
from ..qstash.reconcile import Plan, reconcile
from ..qstash.rest import QStashApi
from ..qstash.retrying import Deadline
from ..qstash.schedule_api import ScheduleApi
from ..qstash.schedules import Declarations
from .qstash_token import TOKEN_FIELD, read_qstash_token

logger = logging.getLogger(__name__)

#: Seconds kept back from the reconcile after a failed Create, to remove what it created.
CREATE_CLEANUP_SECONDS = 20.0


@dataclass(frozen=True)
class ResourceProperties:
    """The custom resource's properties, checked.

    Attributes:
        owner: Whose schedules these are (the stack).
        public_base_url: The deployed app's base URL, without a trailing slash.
        secret_arn: The secret holding `QSTASH_TOKEN`.
        qstash_url: QStash's REST API base URL.
        declarations_document: The declarations, as written at synth time.
    """

    owner: Owner
    public_base_url: str
    secret_arn: str
    qstash_url: str
    declarations_document: str

    @classmethod
    def from_event(cls, properties: Mapping[str, Any]) -> Self:
        """Read `ResourceProperties`.

        Raises:
            ConfigurationError: A required property is missing or not a string.
        """
        missing = [
            name
            for name in ("Owner", "PublicBaseUrl", "QStashSecretArn", "Declarations")
            if not isinstance(properties.get(name), str) or not properties[name]
        ]
        if missing:
            raise ConfigurationError(
                f"the QStash schedules resource lacks the properties {', '.join(missing)}",
                missing=missing,
            )
        return cls(
            owner=Owner(properties["Owner"]),
            public_base_url=properties["PublicBaseUrl"].rstrip("/"),
            secret_arn=properties["QStashSecretArn"],
            qstash_url=str(properties.get("QStashUrl") or DEFAULT_QSTASH_URL).rstrip("/"),
            declarations_document=properties["Declarations"],
        )

    def physical_resource_id(self) -> str:
        """One id per owner: a new `Owner` replaces the resource, and the old one is deleted."""
        return f"qstash-schedules-{self.owner.name}"


def on_event(event: Mapping[str, Any], *, deadline: Deadline) -> dict[str, Any]:
    """Handle one CloudFormation request for the schedules resource.

    Args:
        event: The request, as the Provider framework passes it.
        deadline: When the work must be over (before the Lambda's own timeout).

    Returns:
        `PhysicalResourceId` and `Data` (`Owner`, `Reconciled`, `Changes`, and `Reason`
        when QStash was left alone).

    Raises:
        ConfigurationError: A property is missing or malformed, or the secret unreadable.
        ScheduleDeclarationError: `Declarations` is not a declarations document.
        UnsafeDestinationError: `PublicBaseUrl` is not public https.
        ReconcileError: QStash refused a change; the message says which were applied.
        PublishError: QStash could not be read within the retries and the deadline.
    """
    request_type = event.get("RequestType")
    if request_type not in ("Create", "Update", "Delete"):
        raise ConfigurationError(f"unknown RequestType {request_type!r}")
    properties = ResourceProperties.from_event(event.get("ResourceProperties") or {})
    physical_id = properties.physical_resource_id()
    if request_type == "Delete" and event.get("PhysicalResourceId") != physical_id:
        # Ids are one per owner, so another id was made some other way: deleting this
        # owner's schedules would take them from the resource that holds them now.
        return _left_alone(
            str(event.get("PhysicalResourceId")),
            properties,
            f"the resource to delete is not {physical_id}: QStash was not changed",
        )
    token = read_qstash_token(properties.secret_arn)
    if token is None:
        return _left_alone(
            physical_id,
            properties,
            f"{TOKEN_FIELD} is not set in {properties.secret_arn} yet: QStash was not "
            "changed. Set the secret's values, then run `schedules apply` once (a deploy "
            "that changes no declaration does not run this resource again)",
        )
    declarations = (
        Declarations()
        if request_type == "Delete"
        else Declarations.from_document(properties.declarations_document)
    )
    wanted = target(
        declarations,
        owner=properties.owner,
        public_base_url=properties.public_base_url,
        qstash_url=properties.qstash_url,
    )
    reserve = CREATE_CLEANUP_SECONDS if request_type == "Create" else 0.0
    try:
        plan = _reconcile(
            properties, token, wanted, Deadline(deadline.at - reserve, deadline.clock)
        )
    except AppError as error:
        if request_type == "Create":
            _remove_what_a_failed_create_made(properties, token, deadline, error)
        raise
    for line in plan.lines():
        logger.info(line, extra={"owner": properties.owner.name, "request_type": request_type})
    return {
        "PhysicalResourceId": physical_id,
        "Data": _data(properties, reconciled=True, changes=len(plan.changes)),
    }


def _reconcile(
    properties: ResourceProperties, token: str, wanted: Target, deadline: Deadline
) -> Plan:
    with QStashApi(base_url=properties.qstash_url, token=token, deadline=deadline) as api:
        return reconcile(ScheduleApi(api), wanted)


def _remove_what_a_failed_create_made(
    properties: ResourceProperties, token: str, deadline: Deadline, cause: AppError
) -> None:
    """CloudFormation sends no Delete after a failed Create: remove what it made, if it can."""
    try:
        _reconcile(properties, token, Target(properties.owner), deadline)
    except AppError as error:
        logger.error(
            "the failed create could not remove what it made; the next deploy or "
            "`schedules apply` will",
            extra={"owner": properties.owner.name, "cause": cause.message, "error": error.message},
        )


def _left_alone(physical_id: str, properties: ResourceProperties, reason: str) -> dict[str, Any]:
    logger.warning(reason, extra={"owner": properties.owner.name})
    return {
        "PhysicalResourceId": physical_id,
        "Data": _data(properties, reconciled=False, reason=reason),
    }


def _data(
    properties: ResourceProperties, *, reconciled: bool, changes: int = 0, reason: str = ""
) -> dict[str, str]:
    """`Data` attributes: strings, as `Fn::GetAtt` returns them (never a secret)."""
    data = {
        "Owner": properties.owner.name,
        "Reconciled": "true" if reconciled else "false",
        "Changes": str(changes),
    }
    return data | ({"Reason": reason} if reason else {})
