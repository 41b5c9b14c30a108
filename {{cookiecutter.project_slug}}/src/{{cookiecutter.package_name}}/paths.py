"""The paths of the routes QStash calls.

The routes and the publisher both read them, so a destination the publisher hands to QStash
is always a route the app serves.
"""

JOB_ROUTE = "/qstash/jobs/{job_name}"
CALLBACK_PATH = "/qstash/callback"
FAILURE_CALLBACK_PATH = "/qstash/failure"
WORKER_ROUTE = "/qstash/worker/{job_name}"
"""Where a platform without a job queue (Cloud Functions) hands accepted jobs to its own worker,
through QStash (`handoff/qstash.py`)."""


def job_path(job_name: str) -> str:
    """Return the path QStash delivers `job_name` to, e.g. `/qstash/jobs/send-welcome-email`."""
    return JOB_ROUTE.format(job_name=job_name)


def worker_path(job_name: str) -> str:
    """Return the path a job is re-published to for its run, e.g. `/qstash/worker/daily-report`."""
    return WORKER_ROUTE.format(job_name=job_name)
