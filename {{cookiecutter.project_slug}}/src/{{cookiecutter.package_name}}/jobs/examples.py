"""Example jobs. Copy this module to add your own, then import it in `jobs/__init__.py`."""

import logging

from pydantic import BaseModel, Field

from .declarations import Schedule
from .job import JobContext
from .registry import job, url_group

logger = logging.getLogger(__name__)


class WelcomeEmail(BaseModel):
    """Payload of `send-welcome-email`."""

    user_id: str = Field(min_length=1, max_length=64)
    email: str = Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=254)


@job("send-welcome-email", payload=WelcomeEmail)
def send_welcome_email(payload: WelcomeEmail, context: JobContext) -> None:
    """Send the welcome e-mail to a new user (here: log it)."""
    logger.info(
        "sending welcome e-mail",
        extra={"user_id": payload.user_id, "retried": context.retried},
    )


# Every night at 03:00 UTC; `CRON_TZ=Europe/Berlin 0 3 * * *` would follow Berlin's clock.
@job("nightly-report", schedules=[Schedule("0 3 * * *", name="nightly")])
def nightly_report(context: JobContext) -> None:
    """Build the nightly report (here: log it): a cron job, triggered with an empty body."""
    # A QStash schedule's messages carry `Upstash-Schedule-Id`; a manual run has none.
    logger.info("building the nightly report", extra={"schedule_id": context.schedule_id})


# Fan-out: one publish to "user-signed-up" reaches every endpoint of the group. Add a job
# of this app by name, or another service's https URL.
url_group("user-signed-up", "send-welcome-email")
