"""Thin platform entry points: configure, wire, delegate. No logic lives here."""

SERVICE_NAME = "{{ cookiecutter.project_slug }}"
