"""One authenticated call to QStash's REST API: explicit timeouts, 429 back-off, typed errors.

The API is described at https://upstash.com/docs/qstash/api (bearer token auth, errors as
`{"error": "..."}`). 429 answers are always retried: QStash refused those, so a retry can
never publish twice. A timeout or a 5xx answer is retried only for a call marked
`idempotent` (a read, a delete, an upsert by schedule id: see `retrying.py`); a publish
is not repeated, because QStash may have accepted the message.
"""

import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

import httpx

from ..errors import ConfigurationError, PublishError, PublishTimeoutError, RateLimitedError
from .destinations import is_local_url
from .ratelimit import RateLimitPolicy, default_rng, limit_family, requested_wait_seconds
from .retrying import (
    MIN_CALL_SECONDS,
    Deadline,
    DeadlineExceededError,
    TransientRetryPolicy,
    gave_up,
    retry_loop,
)

if TYPE_CHECKING:
    from ..config import Settings

# How much of QStash's answer an error carries.
MAX_ERROR_BODY_CHARS = 2000


@dataclass(frozen=True)
class Timeouts:
    """httpx timeouts for calls to QStash, in seconds (each applies per operation).

    Attributes:
        connect: Establishing the connection.
        read: Each read of the answer; a QStash that accepts and never answers fails here.
        write: Each write of the request.
        pool: Waiting for a free connection from the pool.
    """

    connect: float = 5.0
    read: float = 10.0
    write: float = 10.0
    pool: float = 5.0

    def to_httpx(self) -> httpx.Timeout:
        """Return the equivalent `httpx.Timeout`."""
        return httpx.Timeout(connect=self.connect, read=self.read, write=self.write, pool=self.pool)

    def capped(self, seconds: float) -> "Timeouts":
        """Return these timeouts, none longer than `seconds` (what is left of a deadline)."""
        return Timeouts(
            connect=min(self.connect, seconds),
            read=min(self.read, seconds),
            write=min(self.write, seconds),
            pool=min(self.pool, seconds),
        )


class QStashApi:
    """Calls QStash's REST API with a bearer token.

    Args:
        base_url: API base URL, e.g. `https://qstash.upstash.io` or a local double's
            `http://127.0.0.1:8080`.
        token: The QStash token.
        timeouts: Per-operation timeouts, in seconds.
        rate_limit: How long to keep waiting out 429 answers.
        transient_retry: How often an `idempotent` call is tried again after a 5xx answer,
            a timeout or a connection failure.
        deadline: When every call must be over (e.g. the end of a {% if cookiecutter.cloud == "aws-lambda" %}Lambda invocation{% else %}function's request{% endif %}): no
            call or back-off runs past it, and each call's timeouts are cut to fit.
        http_client: An `httpx.Client` to send with (tests, proxies, custom transports); it is
            not closed by `close`. By default one is made, with `timeouts`.
        sleep: Called with the seconds to wait between 429 retries.
        clock: Returns the current unix time in seconds (for `*-Reset` headers).
        rng: Returns a uniform float between its two arguments (jitter).

    Raises:
        ConfigurationError: `token` is empty.
    """

    def __init__(
        self,
        *,
        base_url: str,
        token: str,
        timeouts: Timeouts | None = None,
        rate_limit: RateLimitPolicy | None = None,
        transient_retry: TransientRetryPolicy | None = None,
        deadline: Deadline | None = None,
        http_client: httpx.Client | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        rng: Callable[[float, float], float] = default_rng,
    ) -> None:
        if not token:
            raise ConfigurationError(
                "QSTASH_TOKEN is not set: copy the token from the Upstash console (QStash tab)"
            )
        self.base_url = base_url.rstrip("/")
        self.timeouts = timeouts or Timeouts()
        self.rate_limit = rate_limit or RateLimitPolicy()
        self.transient_retry = transient_retry or TransientRetryPolicy()
        self.deadline = deadline
        self._token = token
        self._owns_client = http_client is None
        self._client = http_client or httpx.Client(timeout=self.timeouts.to_httpx())
        self._sleep = sleep
        self._clock = clock
        self._rng = rng

    @classmethod
    def from_settings(
        cls,
        settings: "Settings",
        *,
        http_client: httpx.Client | None = None,
        deadline: Deadline | None = None,
    ) -> Self:
        """Build from `QSTASH_URL`, `QSTASH_TOKEN` and the `QSTASH_*` timeout and 429 settings.

        Raises:
            ConfigurationError: `QSTASH_TOKEN` is not set.
        """
        token = settings.qstash_token.get_secret_value() if settings.qstash_token else ""
        return cls(
            base_url=settings.qstash_url,
            token=token,
            timeouts=Timeouts(
                connect=settings.qstash_connect_timeout_seconds,
                read=settings.qstash_read_timeout_seconds,
                write=settings.qstash_write_timeout_seconds,
                pool=settings.qstash_pool_timeout_seconds,
            ),
            rate_limit=RateLimitPolicy(
                max_attempts=settings.qstash_rate_limit_max_attempts,
                max_wait_seconds=settings.qstash_rate_limit_max_wait_seconds,
            ),
            http_client=http_client,
            deadline=deadline,
        )

    @property
    def is_local(self) -> bool:
        """True when the base URL is a development double (http, localhost, private address)."""
        return is_local_url(self.base_url)

    def request(
        self,
        method: str,
        path: str,
        *,
        headers: Mapping[str, str] | None = None,
        content: bytes | None = None,
        params: Mapping[str, str | int] | None = None,
        idempotent: bool = False,
    ) -> httpx.Response:
        """Send one API call, waiting out 429 answers within the rate-limit policy.

        Args:
            method: HTTP method.
            path: Path below the base URL, starting with `/v2/`; appended as is (a publish
                destination is a raw URL, as the official SDKs send it).
            headers: Extra request headers.
            content: Request body.
            params: Query parameters.
            idempotent: The call may safely reach QStash twice (a read, a delete, an
                upsert by id): 5xx answers, timeouts and connection failures are then
                retried too, within `transient_retry`.

        Returns:
            The 2xx answer.

        Raises:
            RateLimitedError: Still 429 after `max_attempts`, or QStash asked for a wait
                longer than what is left of `max_wait_seconds` (or of the deadline).
            DeadlineExceededError: Too little of the deadline was left to start the call.
            PublishTimeoutError: No connection, or no answer, within the timeouts.
            PublishError: QStash could not be reached or answered another non-2xx status.
        """
        retrying = retry_loop(
            idempotent=idempotent,
            rate_limit=self.rate_limit,
            transient=self.transient_retry,
            deadline=self.deadline,
            sleep=self._sleep,
            rng=self._rng,
        )
        try:
            response: httpx.Response = retrying(
                self._send, method, path, headers, content, params, idempotent
            )
        except DeadlineExceededError:
            raise
        except PublishError as error:
            raise gave_up(error, retrying) from None
        return response

    def _send(
        self,
        method: str,
        path: str,
        headers: Mapping[str, str] | None,
        content: bytes | None,
        params: Mapping[str, str | int] | None,
        idempotent: bool,
    ) -> httpx.Response:
        where = {"method": method, "path": path}
        timeouts = self.timeouts
        if self.deadline is not None:
            left = self.deadline.remaining()
            if left < MIN_CALL_SECONDS:
                raise DeadlineExceededError(
                    f"not sending {method} {path}: {left:.1f} s of the time limit left",
                    timeout="deadline",
                    timeout_seconds=left,
                    **where,
                )
            timeouts = timeouts.capped(left)
        try:
            response = self._client.request(
                method,
                self.base_url + path,
                headers={**(headers or {}), "Authorization": f"Bearer {self._token}"},
                content=content,
                params=params,
                timeout=timeouts.to_httpx(),
            )
        except httpx.TimeoutException as error:
            raise self._timeout_error(error, where, timeouts, idempotent=idempotent) from None
        except httpx.HTTPError as error:
            raise PublishError(
                f"could not reach QStash at {self.base_url}: {error or type(error).__name__}",
                **where,
            ) from None
        if response.status_code == 429:
            raise self._rate_limited_error(response, where)
        if not response.is_success:
            raise PublishError(
                f"QStash answered {response.status_code} to {method} {path}: "
                f"{_error_text(response)}",
                status=response.status_code,
                body=response.text[:MAX_ERROR_BODY_CHARS],
                **where,
            )
        return response

    def _timeout_error(
        self,
        error: httpx.TimeoutException,
        where: dict[str, str],
        timeouts: Timeouts,
        *,
        idempotent: bool,
    ) -> PublishTimeoutError:
        kind, seconds = {
            httpx.ConnectTimeout: ("connect", timeouts.connect),
            httpx.WriteTimeout: ("write", timeouts.write),
            httpx.PoolTimeout: ("pool", timeouts.pool),
        }.get(type(error), ("read", timeouts.read))
        if kind != "read":
            hint = "nothing was sent"
        elif idempotent:
            hint = "QStash may have done it; the call is safe to repeat"
        else:
            hint = "QStash may have accepted it: publish again with the same deduplication id"
        return PublishTimeoutError(
            f"QStash at {self.base_url} did not answer {where['method']} {where['path']} "
            f"within {seconds:g} s ({kind} timeout); {hint}",
            timeout=kind,
            timeout_seconds=seconds,
            **where,
        )

    def _rate_limited_error(
        self, response: httpx.Response, where: dict[str, str]
    ) -> RateLimitedError:
        family = limit_family(response.headers)
        wait = requested_wait_seconds(response.headers, self._clock())
        after = f"; it asked to wait {wait:.1f} s" if wait is not None else ""
        return RateLimitedError(
            f"QStash rate limit ({family}) hit by {where['method']} {where['path']}{after}",
            status=429,
            body=response.text[:MAX_ERROR_BODY_CHARS],
            limit=family,
            retry_after_seconds=wait,
            **where,
        )

    def close(self) -> None:
        """Close the HTTP client, if this object made it."""
        if self._owns_client:
            self._client.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def json_body(response: httpx.Response) -> Any:
    """Decode a 2xx answer's JSON body.

    Raises:
        PublishError: The body is not JSON.
    """
    try:
        return response.json()
    except ValueError:
        raise PublishError(
            f"QStash answered {response.status_code} with a body that is not JSON",
            status=response.status_code,
            body=response.text[:MAX_ERROR_BODY_CHARS],
        ) from None


def _error_text(response: httpx.Response) -> str:
    """QStash's `{"error": "..."}` message, else the body itself, shortened, on one line."""
    text = response.text
    try:
        parsed: Any = json.loads(text)
    except ValueError:
        parsed = None
    if isinstance(parsed, dict) and isinstance(parsed.get("error"), str):
        text = parsed["error"]
    return " ".join(text.split())[:300] or "(empty body)"
