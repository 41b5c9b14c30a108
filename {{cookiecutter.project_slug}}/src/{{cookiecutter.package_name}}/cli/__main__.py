"""`python -m {{ cookiecutter.package_name }}.cli`: the command line."""

import sys

from . import main

sys.exit(main())
