"""Typed clients of intake's and routing's HTTP APIs, and fakes for tests."""
