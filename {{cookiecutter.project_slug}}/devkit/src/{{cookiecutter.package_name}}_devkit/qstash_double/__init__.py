"""A local, faithful QStash test double: REST API, signed deliveries, retries, DLQ, schedules.

Development and tests only; never imported by the {% if cookiecutter.cloud == "aws-lambda" %}Lambda entry points{% else %}deployed function{% endif %}. Protocol facts come
from the QStash docs named in each module. Start one with `run_double()`.
"""

from .config import DoubleSettings
from .double import QStashDouble
from .model import Attempt, DeadLetter, Message
from .server import DoubleHost, RunningDouble, run_double, serve_doubles

__all__ = [
    "Attempt",
    "DeadLetter",
    "DoubleHost",
    "DoubleSettings",
    "Message",
    "QStashDouble",
    "RunningDouble",
    "run_double",
    "serve_doubles",
]
