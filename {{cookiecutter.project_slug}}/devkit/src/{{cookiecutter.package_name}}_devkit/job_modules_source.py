"""The source `functions_server` serves when tests add jobs: their modules, then the app.

functions-framework loads this file by its path and calls `handler`. The modules named in
`DEVKIT_JOB_MODULES` (comma-separated, e.g. `tests.e2e.jobs`) register their jobs in the
application's registry first, so the worker route can run them.
"""

import importlib
import os

for _name in filter(None, os.environ.get("DEVKIT_JOB_MODULES", "").split(",")):
    importlib.import_module(_name.strip())

from {{ cookiecutter.package_name }}.entrypoints.gcp_main import handler  # noqa: E402

__all__ = ["handler"]
