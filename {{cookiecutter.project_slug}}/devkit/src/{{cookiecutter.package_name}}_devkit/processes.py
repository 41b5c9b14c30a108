"""Child processes that run as a group of their own: the Firestore emulator, functions-framework.

Both start children of their own (gcloud starts a bash wrapper that starts java; gunicorn a
uvicorn worker), so each runs in a new session: stopping the group stops every member, and
a Ctrl-C in the terminal reaches this process only, which stops the group on its way out.
Their output is drained in a thread into a bounded buffer, so a chatty child never blocks on
a full pipe, and a failure can quote its last lines.
"""

import collections
import contextlib
import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

KEPT_LINES = 200
"""Lines of a child's output kept for error messages."""
STOP_TIMEOUT = 15.0
"""Seconds a group gets to exit after the stop signal before it is killed."""
POLL_SECONDS = 0.05


class StartError(RuntimeError):
    """A child exited or did not become ready in time; the message ends with its output."""


class ChildOutput:
    """Reads a child's output in a thread: keeps the last lines, notes one ready line.

    Args:
        stream: The child's stdout (stderr joined to it).
        ready_line: Text whose appearance in a line sets `ready` (None: never set).
        name: Names the reading thread.
        on_line: Called with each line (without its line break) in the reading thread.
    """

    def __init__(
        self,
        stream: IO[str],
        ready_line: str | None,
        name: str,
        on_line: Callable[[str], None] | None = None,
    ) -> None:
        self.lines: collections.deque[str] = collections.deque(maxlen=KEPT_LINES)
        self.ready = threading.Event()
        self._ready_line = ready_line
        self._on_line = on_line
        self._thread = threading.Thread(
            target=self._read, args=(stream,), name=f"{name} output", daemon=True
        )
        self._thread.start()

    def _read(self, stream: IO[str]) -> None:
        for line in stream:
            self.lines.append(line.rstrip())
            if self._ready_line is not None and self._ready_line in line:
                self.ready.set()
            if self._on_line is not None:
                self._on_line(line.rstrip("\n"))

    def tail(self, count: int = 15) -> str:
        """The last `count` lines, one per line."""
        return "\n".join(list(self.lines)[-count:])

    def join(self, timeout: float) -> None:
        """Wait for the end of the output (every member has exited)."""
        self._thread.join(timeout)


@dataclass(frozen=True)
class RunningGroup:
    """A started child and its group.

    Attributes:
        name: What it is, for messages, e.g. `the Firestore emulator`.
        process: The group's leader.
        output: Its output.
    """

    name: str
    process: "subprocess.Popen[str]"
    output: ChildOutput

    @property
    def group(self) -> int:
        """The process group id (the leader's pid: it started a new session)."""
        return self.process.pid

    def wait_until(
        self,
        condition: Callable[[], bool],
        timeout: float,
        promise: str,
        error: type[StartError] = StartError,
    ) -> None:
        """Wait until `condition()` is true; a hang guard, never a speed limit.

        Args:
            condition: Polled every 50 ms.
            timeout: Real seconds before giving up.
            promise: What the child should have done, for the message, e.g. `answer on :80`.
            error: The exception type raised.

        Raises:
            StartError: (or `error`) The child exited first, or `timeout` passed; the message
                ends with its last output lines.
        """
        deadline = time.monotonic() + timeout
        while not condition():
            if self.process.poll() is not None:
                self.output.join(STOP_TIMEOUT)  # its last words
                raise error(
                    f"{self.name} exited with status {self.process.returncode} before it "
                    f"could {promise}; it said:\n{self.output.tail()}"
                )
            if time.monotonic() > deadline:
                raise error(
                    f"{self.name} did not {promise} within {timeout:.0f} s; it said:\n"
                    f"{self.output.tail()}"
                )
            time.sleep(POLL_SECONDS)


@contextmanager
def process_group(
    argv: Sequence[str],
    *,
    name: str,
    ready_line: str | None = None,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    stop_signal: signal.Signals = signal.SIGTERM,
    on_line: Callable[[str], None] | None = None,
) -> Iterator[RunningGroup]:
    """Start `argv` in a process group of its own; stop the whole group when the block ends.

    Args:
        argv: The command.
        name: What it is, for messages.
        ready_line: Output text that sets `output.ready`.
        env: Its environment (default: this process's).
        cwd: Its working folder (default: this process's).
        stop_signal: Sent to the group first; what is left after `STOP_TIMEOUT` is killed.
        on_line: Called with each line of its output, in the thread that reads it.

    Yields:
        The running group.

    Raises:
        FileNotFoundError: The executable does not exist.
    """
    process = subprocess.Popen(  # noqa: S603 - commands built by this package
        list(argv),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
        start_new_session=True,  # its own process group: stop all of it, keep Ctrl-C
        env=dict(env) if env is not None else None,
        cwd=cwd,
    )
    assert process.stdout is not None  # noqa: S101 - stdout=PIPE above
    output = ChildOutput(process.stdout, ready_line, name, on_line)
    try:
        yield RunningGroup(name, process, output)
    finally:
        stop_group(process, stop_signal)
        output.join(STOP_TIMEOUT)
        process.stdout.close()


def stop_group(
    process: "subprocess.Popen[str]",
    stop_signal: signal.Signals = signal.SIGTERM,
    timeout: float = STOP_TIMEOUT,
) -> None:
    """Stop a process's whole group: `stop_signal`, then SIGKILL for what is left.

    Stopping a group that has already exited does nothing.

    Args:
        process: The group's leader (started with `start_new_session=True`).
        stop_signal: The first signal.
        timeout: Seconds to wait for the group to exit after `stop_signal`.
    """
    group = process.pid
    _signal_group(group, stop_signal)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout)
    # The leader's children may outlive it: wait for the whole group, then kill the rest.
    if not _wait_for_group_exit(group, timeout):
        _signal_group(group, signal.SIGKILL)
        _wait_for_group_exit(group, timeout)
    process.wait()


def group_exists(group: int) -> bool:
    """Whether a process of the group still exists (until its parent or init reaps it)."""
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    return True


def _wait_for_group_exit(group: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while group_exists(group):
        if time.monotonic() > deadline:
            return False
        time.sleep(POLL_SECONDS)
    return True


def _signal_group(group: int, signum: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):  # every member has exited already
        os.killpg(group, signum)
