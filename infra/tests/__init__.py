"""Tests of the CDK app: the synthesized template, the bundle, the copy into bakes."""
