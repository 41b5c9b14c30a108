"""Jobs: the registry and the application's job modules.

Importing this package registers every job: add an import below for each new job module.
"""

from . import examples as examples
from .registry import Job, JobContext, JobRegistry, job, registry

__all__ = ["Job", "JobContext", "JobRegistry", "job", "registry"]
