"""Tests of the constructs, on the synthesized template."""
