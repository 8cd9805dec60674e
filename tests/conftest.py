"""Fixtures shared by every test level."""

pytest_plugins = ["pytester"]
