"""`/v2/schedules`: create (upsert by `Upstash-Schedule-Id`), list, get, delete, pause, resume.

Source: https://upstash.com/docs/qstash/features/schedules and the schedule paths of
https://upstash.com/docs/qstash/api (openapi.yaml). Pause and resume take POST (openapi)
and PATCH (what both official SDKs send), as protocol notes section 5 advises.
"""

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .cron import SCHEDULE_ID, next_fire, parse_cron
from .errors import BadRequestError, NotFoundError
from .model import Schedule
from .options import parse_options, split_destination
from .publishing import check_size
from .request_utils import client_ip, double_of, raw_tail
from .state import new_id
from .views import schedule_view

PREFIX = "/v2/schedules/"


def schedule_routes() -> list[Route]:
    """The schedule routes; pause/resume come before create so they win the match."""
    return [
        Route(PREFIX + "{schedule_id}/pause", pause, methods=["POST", "PATCH"]),
        Route(PREFIX + "{schedule_id}/resume", resume, methods=["POST", "PATCH"]),
        Route("/v2/schedules", list_schedules, methods=["GET"]),
        Route(PREFIX + "{schedule_id}", get_schedule, methods=["GET"]),
        Route(PREFIX + "{schedule_id}", delete_schedule, methods=["DELETE"]),
        Route(PREFIX + "{destination:path}", create_schedule, methods=["POST"]),
    ]


async def create_schedule(request: Request) -> JSONResponse:
    """Create a schedule, or overwrite the one with the given `Upstash-Schedule-Id`.

    Answers `{"scheduleId": ...}`. Requires `Upstash-Cron`; takes the publish headers.
    """
    double = double_of(request)
    settings = double.settings
    cron = request.headers.get("upstash-cron")
    if not cron:
        raise BadRequestError("Upstash-Cron header is required")
    parse_cron(cron)
    schedule_id = request.headers.get("upstash-schedule-id") or new_id("scd_")
    if not SCHEDULE_ID.fullmatch(schedule_id):
        raise BadRequestError(
            f"invalid Upstash-Schedule-Id {schedule_id!r}: use letters, digits, '-', '_', '.'"
        )
    destination, query = split_destination(
        raw_tail(request, PREFIX), request.scope.get("query_string", b"")
    )
    body = await request.body()
    check_size(body, settings)
    options = parse_options(request.headers.items(), settings, query=query)
    now = double.now()
    with double.state.lock:
        existing = double.state.schedules.get(schedule_id)
        double.state.put_schedule(
            Schedule(
                schedule_id=schedule_id,
                cron=cron,
                destination=destination,
                body=body,
                options=options,
                created_at=existing.created_at if existing else now,
                caller_ip=client_ip(request),
                next_fire=next_fire(cron, now),
            )
        )
    return JSONResponse({"scheduleId": schedule_id})


async def list_schedules(request: Request) -> JSONResponse:
    """Return every schedule."""
    return JSONResponse([schedule_view(schedule) for schedule in double_of(request).schedules()])


async def get_schedule(request: Request) -> JSONResponse:
    """Return one schedule (404 if unknown)."""
    double = double_of(request)
    with double.state.lock:
        return JSONResponse(schedule_view(_schedule(request)))


async def delete_schedule(request: Request) -> Response:
    """Delete a schedule (404 if unknown)."""
    double = double_of(request)
    with double.state.lock:
        del double.state.schedules[_schedule(request).schedule_id]
    return Response()


async def pause(request: Request) -> Response:
    """Pause a schedule; pausing a paused one is fine."""
    double = double_of(request)
    with double.state.lock:
        schedule = _schedule(request)
        schedule.paused, schedule.next_fire = True, None
    return Response()


async def resume(request: Request) -> Response:
    """Resume a schedule from its next cron time; resuming a running one is fine."""
    double = double_of(request)
    with double.state.lock:
        schedule = _schedule(request)
        if schedule.paused:
            schedule.paused, schedule.next_fire = False, next_fire(schedule.cron, double.now())
    double.wake()
    return Response()


def _schedule(request: Request) -> Schedule:
    schedule_id = request.path_params["schedule_id"]
    schedule = double_of(request).state.schedules.get(schedule_id)
    if schedule is None:
        raise NotFoundError(f"schedule {schedule_id!r} not found")
    return schedule
