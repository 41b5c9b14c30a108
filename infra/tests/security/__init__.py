"""Tests of the security checks."""
