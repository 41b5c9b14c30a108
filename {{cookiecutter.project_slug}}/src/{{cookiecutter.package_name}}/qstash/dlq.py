"""QStash's dead-letter queue: list, read, delete and replay messages whose retries ran out.

REST API (https://upstash.com/docs/qstash/api-reference/dlq): `GET /v2/dlq` (cursor pages),
`GET|DELETE /v2/dlq/{dlqId}`, and `POST /v2/dlq/retry/{dlqId}`, which re-publishes the message
with its original body and headers and removes it from the DLQ. The official Python SDK has no
replay; this module calls the endpoint directly. Dead letters are kept for the plan's
retention only (3 days on Free, 7 on Pay-as-you-go).
"""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import quote

import httpx
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..errors import DeadLetterNotFoundError, PublishError
from .options import retries_header
from .rest import QStashApi, json_body

MAX_PAGE_SIZE = 100
#: `GET /v2/dlq` sorts by the time a message was dead-lettered, `earliestFirst` unless told
#: otherwise (https://upstash.com/docs/qstash/api/dlq/listMessages).
type DeadLetterOrder = Literal["earliestFirst", "latestFirst"]


class DeadLetter(BaseModel):
    """A message in QStash's DLQ (the fields used here; unknown ones are kept).

    `body` is set when the original body was UTF-8, `body_base64` otherwise; likewise
    `response_body` / `response_body_base64` for the destination's last answer.
    """

    model_config = ConfigDict(populate_by_name=True, extra="allow", frozen=True)

    dlq_id: str = Field(alias="dlqId", min_length=1)
    message_id: str = Field(default="", alias="messageId")
    url: str = ""
    method: str = "POST"
    header: dict[str, Any] | None = None
    body: str | None = None
    body_base64: str | None = Field(default=None, alias="bodyBase64")
    max_retries: int | None = Field(default=None, alias="maxRetries")
    created_at: int | None = Field(default=None, alias="createdAt", description="unix ms")
    schedule_id: str | None = Field(default=None, alias="scheduleId")
    response_status: int | None = Field(default=None, alias="responseStatus")
    response_body: str | None = Field(default=None, alias="responseBody")
    response_body_base64: str | None = Field(default=None, alias="responseBodyBase64")


@dataclass(frozen=True)
class DeadLetterPage:
    """One page of `GET /v2/dlq`.

    Attributes:
        messages: The dead letters on this page.
        cursor: Pass it to `DeadLetterQueue.list` for the next page; None on the last page.
    """

    messages: list[DeadLetter]
    cursor: str | None


@dataclass(frozen=True)
class ReplayResult:
    """A replayed dead letter: QStash published it again as a new message.

    Attributes:
        dlq_id: The dead letter's id (now gone from the DLQ).
        message_id: The new message's id.
        deduplicated: True when QStash treated the replay as a duplicate.
    """

    dlq_id: str
    message_id: str
    deduplicated: bool = False

    def to_json(self) -> dict[str, Any]:
        """Return the result as a JSON object."""
        return {
            "dlqId": self.dlq_id,
            "messageId": self.message_id,
            "deduplicated": self.deduplicated,
        }


class DeadLetterQueue:
    """The DLQ endpoints of QStash's REST API.

    Args:
        api: The QStash REST client.
    """

    def __init__(self, api: QStashApi) -> None:
        self.api = api

    def list(
        self,
        *,
        cursor: str | None = None,
        count: int | None = None,
        filters: Mapping[str, str] | None = None,
        order: DeadLetterOrder = "earliestFirst",
    ) -> DeadLetterPage:
        """Read one page of dead letters.

        Args:
            cursor: The previous page's cursor; None for the first page.
            count: Page size, 1 to 100 (QStash's default when None).
            order: `earliestFirst` (QStash's default) or `latestFirst`, by the time each
                message was dead-lettered; later pages keep the order of the first.
            filters: Extra query filters QStash documents, e.g. `{"url": ...}`,
                `{"responseStatus": "500"}`, `{"scheduleId": ...}`.

        Returns:
            The page and the cursor of the next one.

        Raises:
            ValueError: `count` is out of range.
            PublishError: See `QStashApi.request`.
        """
        if count is not None and not 1 <= count <= MAX_PAGE_SIZE:
            raise ValueError(f"count must be between 1 and {MAX_PAGE_SIZE}, not {count}")
        params: dict[str, str | int] = dict(filters or {})
        if order != "earliestFirst":
            params["order"] = order
        if cursor:
            params["cursor"] = cursor
        if count is not None:
            params["count"] = count
        answer = json_body(self.api.request("GET", "/v2/dlq", params=params))
        if not isinstance(answer, dict):
            raise PublishError(
                "QStash answered the DLQ listing with something other than an object",
                body=str(answer)[:2000],
            )
        messages = [_dead_letter(item) for item in answer.get("messages") or []]
        return DeadLetterPage(messages, answer.get("cursor") or None)

    def iterate(
        self,
        *,
        filters: Mapping[str, str] | None = None,
        order: DeadLetterOrder = "earliestFirst",
    ) -> Iterator[DeadLetter]:
        """Yield every dead letter, following the cursor page by page.

        Args:
            filters: As for `list`.
            order: As for `list`.

        Raises:
            PublishError: See `QStashApi.request`, or QStash handed back a cursor twice.
        """
        cursor: str | None = None
        seen: set[str] = set()
        while True:
            page = self.list(cursor=cursor, count=MAX_PAGE_SIZE, filters=filters, order=order)
            yield from page.messages
            if page.cursor is None:
                return
            if page.cursor in seen:
                raise PublishError("QStash returned the same DLQ cursor twice", cursor=page.cursor)
            seen.add(page.cursor)
            cursor = page.cursor

    def get(self, dlq_id: str) -> DeadLetter:
        """Read one dead letter.

        Raises:
            DeadLetterNotFoundError: No such dead letter (replayed, deleted or expired).
            PublishError: See `QStashApi.request`.
        """
        return _dead_letter(json_body(self._call("GET", f"/v2/dlq/{_segment(dlq_id)}", dlq_id)))

    def delete(self, dlq_id: str) -> None:
        """Delete one dead letter.

        Raises:
            DeadLetterNotFoundError: No such dead letter (replayed, deleted or expired).
            PublishError: See `QStashApi.request`.
        """
        self._call("DELETE", f"/v2/dlq/{_segment(dlq_id)}", dlq_id)

    def replay(self, dlq_id: str, *, retries: int | None = None) -> ReplayResult:
        """Publish a dead letter again (`POST /v2/dlq/retry/{dlqId}`); QStash drops it from the DLQ.

        Args:
            dlq_id: The dead letter's id (`dlqId`, also in the failure callback's body).
            retries: Override the original message's retries (`Upstash-Retries`), 0 to
                `MAX_RETRIES`.

        Returns:
            The new message's id.

        Raises:
            ValueError: `retries` is out of range; nothing was sent.
            DeadLetterNotFoundError: No such dead letter (replayed, deleted or expired).
            PublishError: See `QStashApi.request`.
        """
        headers = {} if retries is None else {"Upstash-Retries": retries_header(retries)}
        response = self._call("POST", f"/v2/dlq/retry/{_segment(dlq_id)}", dlq_id, headers)
        answer = json_body(response)
        if not isinstance(answer, dict) or not isinstance(answer.get("messageId"), str):
            raise PublishError(
                "QStash's answer to the replay has no messageId", body=str(answer)[:2000]
            )
        return ReplayResult(dlq_id, answer["messageId"], bool(answer.get("deduplicated", False)))

    def _call(
        self, method: str, path: str, dlq_id: str, headers: Mapping[str, str] | None = None
    ) -> httpx.Response:
        try:
            return self.api.request(method, path, headers=headers)
        except PublishError as error:
            if error.details.get("status") == 404:
                raise DeadLetterNotFoundError(
                    f"no dead letter {dlq_id!r} in QStash's DLQ: it was replayed, deleted, or "
                    "outlived the plan's retention",
                    **error.details,
                    dlq_id=dlq_id,
                ) from None
            raise


def _segment(dlq_id: str) -> str:
    if not dlq_id:
        raise ValueError("a dead letter id is required")
    return quote(dlq_id, safe="")


def _dead_letter(item: Any) -> DeadLetter:
    try:
        return DeadLetter.model_validate(item)
    except ValidationError:
        raise PublishError(
            "QStash answered with a dead letter this client cannot read", body=str(item)[:2000]
        ) from None
