"""Hand-off of accepted work to the worker. {% if cookiecutter.cloud == "aws-lambda" %}Platform modules: `sqs` (AWS).{% else %}Platform module: `qstash` (Google Cloud).{% endif %}"""

from .base import Handoff, JobEnvelope
from .memory import MemoryHandoff

__all__ = ["Handoff", "JobEnvelope", "MemoryHandoff"]
