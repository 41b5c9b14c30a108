"""JSON shapes of the REST API's objects: Message, DLQMessage, Schedule, URL group.

Source: the schemas of https://upstash.com/docs/qstash/api (openapi.yaml). Times are unix
milliseconds (protocol clock); `header` maps names to lists of values; a body is `body`
when it is UTF-8, else `bodyBase64`.
"""

import base64
from typing import Any

from .model import DeadLetter, Message, Schedule, UrlGroup
from .outgoing import header_lists


def millis(seconds: float) -> int:
    """Unix seconds to unix milliseconds."""
    return int(seconds * 1000)


def body_fields(body: bytes, name: str = "body") -> dict[str, str]:
    """`{name: text}` for a UTF-8 body, else `{name + "Base64": base64}`."""
    try:
        return {name: body.decode("utf-8")}
    except UnicodeDecodeError:
        return {name + "Base64": base64.b64encode(body).decode("ascii")}


def message_view(message: Message) -> dict[str, Any]:
    """The `Message` object (`GET /v2/messages/{id}`, and the base of `DLQMessage`)."""
    options = message.options
    view: dict[str, Any] = {
        "messageId": message.message_id,
        "url": message.url,
        "method": options.method,
        "header": header_lists(options.delivery_headers()),
        **body_fields(message.body),
        "maxRetries": options.retries,
        "notBefore": millis(message.not_before),
        "createdAt": millis(message.created_at),
        "callerIP": message.caller_ip,
    }
    optional = {
        "topicName": message.topic_name,
        "endpointName": message.endpoint_name,
        "callback": options.callback.url,
        "failureCallback": options.failure_callback.url,
        "scheduleId": message.schedule_id,
        "retryDelayExpression": options.retry_delay,
        "label": options.label,
    }
    return view | {name: value for name, value in optional.items() if value}


def dead_letter_view(entry: DeadLetter) -> dict[str, Any]:
    """The `DLQMessage` object: the message plus `dlqId` and the last response."""
    response = entry.response
    return {
        **message_view(entry.message),
        "dlqId": entry.dlq_id,
        "responseStatus": response.status or 0,
        "responseHeader": header_lists(response.headers),
        **body_fields(response.body, "responseBody"),
    }


def schedule_view(schedule: Schedule) -> dict[str, Any]:
    """The `Schedule` object."""
    options = schedule.options
    view: dict[str, Any] = {
        "scheduleId": schedule.schedule_id,
        "cron": schedule.cron,
        "destination": schedule.destination,
        "createdAt": millis(schedule.created_at),
        "method": options.method,
        "header": header_lists(options.delivery_headers()),
        **body_fields(schedule.body),
        "retries": options.retries,
        "delay": int(options.delay),
        "callerIP": schedule.caller_ip,  # what qstash-py reads
        "callerIp": schedule.caller_ip,  # what the OpenAPI document names
        "isPaused": schedule.paused,
    }
    optional: dict[str, Any] = {
        "callback": options.callback.url,
        "failureCallback": options.failure_callback.url,
        "timeout": None if options.timeout is None else int(options.timeout),
        "retryDelayExpression": options.retry_delay,
        "label": options.label,
        "lastScheduleTime": None if schedule.last_fire is None else millis(schedule.last_fire),
        "nextScheduleTime": None if schedule.next_fire is None else millis(schedule.next_fire),
    }
    return view | {name: value for name, value in optional.items() if value is not None}


def group_view(group: UrlGroup) -> dict[str, Any]:
    """The URL group ("topic") object."""
    return {
        "name": group.name,
        "createdAt": millis(group.created_at),
        "updatedAt": millis(group.updated_at),
        "endpoints": [
            {"url": endpoint.url, **({"name": endpoint.name} if endpoint.name else {})}
            for endpoint in group.endpoints
        ],
    }
