"""What a bulk call acts on: ids, multi-value filters, a date range, `count` and `cursor`.

Source: https://upstash.com/docs/qstash/api (openapi.yaml: `DELETE /v2/messages`, `GET` and
`DELETE /v2/dlq`, `POST /v2/dlq/retry`). A filter takes several values by repeating the
parameter or separating values with commas; a record matches when its value equals any of
them, and every filter given must match. Ids, when given, select on their own ("other
filters are ignored"). `fromDate` / `toDate` are inclusive unix milliseconds.

QStash acts on everything when a bulk call names nothing. The official TypeScript SDK never
sends that: its `{all: true}` sends `count` (and `cursor`). The double takes `count` or
`cursor` as that explicit "all" and refuses a call that names nothing, unless
`bare_bulk_selects_all` is on.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from starlette.requests import Request

from .config import DoubleSettings
from .errors import BadRequestError
from .request_utils import json_body
from .views import millis

type Fields[Record] = Mapping[str, Callable[[Record], str | None]]
"""Filter names to the function reading that value from a record (None: it has none)."""

Parameters = dict[str, list[str]]


async def bulk_parameters(request: Request, *, read_json_body: bool) -> Parameters:
    """Collect the values of every parameter of a bulk call, comma-separated values split.

    Args:
        request: The call; its query parameters always count.
        read_json_body: Also read the fields of a JSON object body, e.g.
            `{"messageIds": ["msg_1"]}` (see `DoubleSettings.bulk_json_body`).

    Returns:
        Parameter names to their values, in order.

    Raises:
        BadRequestError: `read_json_body` is set and the body is not JSON.
    """
    parameters: Parameters = {}
    for name, value in request.query_params.multi_items():
        parameters.setdefault(name, []).extend(part for part in value.split(",") if part)
    if read_json_body:
        body = await json_body(request)
        if isinstance(body, dict):
            for name, value in body.items():
                values = value if isinstance(value, list) else [value]
                given = [str(item) for item in values if item is not None and item != ""]
                parameters.setdefault(str(name), []).extend(given)
    return parameters


@dataclass(frozen=True)
class Selection[Record]:
    """The records a bulk call names.

    Attributes:
        fields: The filters this endpoint knows, by name.
        ids: The ids given (then nothing else selects).
        filters: Filter names to the values wanted.
        from_ms: Earliest creation time, unix milliseconds, or None.
        to_ms: Latest creation time, unix milliseconds, or None.
        count: Most records to act on, or None for the endpoint's default.
        cursor: Where an earlier call stopped (a record's position), or None.
    """

    fields: Fields[Record]
    ids: frozenset[str]
    filters: Mapping[str, frozenset[str]]
    from_ms: int | None
    to_ms: int | None
    count: int | None
    cursor: int | None

    @classmethod
    def parse(
        cls, parameters: Parameters, *, ids: str, fields: Fields[Record], max_count: int
    ) -> "Selection[Record]":
        """Read a selection from bulk parameters; unknown parameters are ignored.

        Args:
            parameters: From `bulk_parameters`.
            ids: The name of the id parameter (`messageIds` or `dlqIds`).
            fields: The filters the endpoint knows.
            max_count: The largest `count` the endpoint takes; larger ones are capped.

        Raises:
            BadRequestError: `count`, `cursor`, `fromDate` or `toDate` is not a whole number.
        """
        filters = {name: frozenset(parameters[name]) for name in fields if parameters.get(name)}
        count = _number(parameters, "count")
        return cls(
            fields=fields,
            ids=frozenset(parameters.get(ids, ())),
            filters=filters,
            from_ms=_number(parameters, "fromDate"),
            to_ms=_number(parameters, "toDate"),
            count=None if count is None else min(max_count, max(1, count)),
            cursor=_number(parameters, "cursor"),
        )

    @property
    def names_something(self) -> bool:
        """Whether ids, a filter or a date bound narrow the selection."""
        dated = self.from_ms is not None or self.to_ms is not None
        return bool(self.ids or self.filters) or dated

    def require_target(self, settings: DoubleSettings, *, ids: str) -> None:
        """Refuse a bulk action that names nothing and is not an explicit "all".

        Args:
            settings: For `bare_bulk_selects_all`.
            ids: The id parameter's name, for the message.

        Raises:
            BadRequestError: No ids, no filter, no `count` and no `cursor`.
        """
        explicit_all = self.count is not None or self.cursor is not None
        if not (self.names_something or explicit_all or settings.bare_bulk_selects_all):
            raise BadRequestError(
                f"give {ids}, a filter, or count (and cursor) to act on everything, count at "
                "a time; the local double refuses a bulk call that names nothing"
            )

    def selects(self, record_id: str, record: Record, created_at: float) -> bool:
        """Whether the record is selected (the cursor is the caller's business).

        Args:
            record_id: Its id (message id or DLQ id).
            record: The record the filter fields read.
            created_at: Its time for `fromDate` / `toDate`, protocol unix seconds.
        """
        if self.ids:
            return record_id in self.ids
        created = millis(created_at)
        return (
            all(self.fields[name](record) in wanted for name, wanted in self.filters.items())
            and (self.from_ms is None or created >= self.from_ms)
            and (self.to_ms is None or created <= self.to_ms)
        )


def _number(parameters: Parameters, name: str) -> int | None:
    values = parameters.get(name)
    if not values:
        return None
    value = values[-1]
    if not (value.isascii() and value.isdigit()):
        raise BadRequestError(f"{name} must be a whole number, got {value!r}")
    return int(value)
