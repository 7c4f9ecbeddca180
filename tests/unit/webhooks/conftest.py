"""Fixtures of the webhook unit tests."""

from tests.fixtures.receivers import serve  # noqa: F401  (a fixture: misbehaving receivers on localhost)
