"""The paths of the routes QStash calls.

The routes and the publisher both read them, so a destination the publisher hands to QStash
is always a route the app serves.
"""

JOB_ROUTE = "/qstash/jobs/{job_name}"
CALLBACK_PATH = "/qstash/callback"
FAILURE_CALLBACK_PATH = "/qstash/failure"


def job_path(job_name: str) -> str:
    """Return the path QStash delivers `job_name` to, e.g. `/qstash/jobs/send-welcome-email`."""
    return JOB_ROUTE.format(job_name=job_name)
