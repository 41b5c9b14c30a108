"""Jobs: the registry, the schedules and URL groups that trigger them, and the job modules.

Importing this package registers every job: add an import below for each new job module.
"""

from . import examples as examples
from .declarations import Schedule, UrlGroup
from .job import Job, JobContext
from .registry import JobRegistry, job, registry, url_group

__all__ = [
    "Job",
    "JobContext",
    "JobRegistry",
    "Schedule",
    "UrlGroup",
    "job",
    "registry",
    "url_group",
]
