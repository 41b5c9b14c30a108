"""Tests of the cookiecutter template: hooks, bakes and the generated project."""
