"""The schedules and URL groups the jobs declare, read from the application at synth.

The jobs declare their schedules and URL groups in code (`src/<package>/jobs/`), and the
application turns its registry into one JSON document
(`<package>.qstash.schedules.declarations_document`), checking each cron, time zone, job
name and destination on the way. The CDK app runs in the project's environment (`uv run`,
cdk.json), where the package is installed, so it imports the application here and hands the
document to the custom resource that reconciles it (components/schedules.py).
"""

import importlib

SCHEDULES_MODULE = "{package}.qstash.schedules"
JOBS_MODULE = "{package}.jobs"


class DeclarationError(ValueError):
    """A declared schedule or URL group is invalid; the message is one line saying which."""


def declarations_document(package_name: str) -> str:
    """Return the application's schedule declarations, as the custom resource takes them.

    Args:
        package_name: The application's import name.

    Returns:
        The JSON document.

    Raises:
        DeclarationError: A declaration is invalid (bad cron, unknown time zone, unknown
            job, an endpoint that is not https), or the application does not import.
    """
    try:
        schedules = importlib.import_module(SCHEDULES_MODULE.format(package=package_name))
        jobs = importlib.import_module(JOBS_MODULE.format(package=package_name))
    except ImportError as error:
        raise DeclarationError(
            f"cannot import the application ({error}): run cdk in the project's environment "
            "(make synth, or uv run after make install)"
        ) from None
    invalid: type[Exception] = schedules.ScheduleDeclarationError
    try:
        document: str = schedules.declarations_document(jobs.registry)
    except invalid as error:
        raise DeclarationError(" ".join(str(error).split())) from None
    return document
