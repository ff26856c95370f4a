"""No request URL reaches the logs: httpx and httpcore log at WARNING at most (issue 11).

httpx logs every request's full URL at INFO, and a gateway URL may carry a key. So
`configure_logging` sets both libraries to WARNING whatever the service's own level.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import httpx
import pytest
import structlog
from qorgau_common.logging import configure_logging

QUIET = ("httpx", "httpcore")


@pytest.fixture
def restored_logging() -> Iterator[None]:
    """configure_logging changes process-wide state: put it back for the other tests."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    levels = {name: logging.getLogger(name).level for name in (*QUIET, "aiokafka", "uvicorn")}
    config = structlog.get_config()
    context = structlog.contextvars.get_contextvars()
    try:
        yield
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
        for name, was in levels.items():
            logging.getLogger(name).setLevel(was)
        structlog.configure(**config)
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(**context)


@pytest.mark.usefixtures("restored_logging")
@pytest.mark.parametrize("level", ["DEBUG", "INFO"])
def test_http_client_libraries_log_at_warning_at_most(level: str) -> None:
    configure_logging("test", level)
    for name in QUIET:
        assert logging.getLogger(name).getEffectiveLevel() >= logging.WARNING, name
    assert logging.getLogger().getEffectiveLevel() == logging.getLevelName(level)


@pytest.mark.usefixtures("restored_logging")
def test_a_request_url_is_not_logged(capsys: pytest.CaptureFixture[str]) -> None:
    """A real httpx request (answered in-process) leaves no trace of its URL in the logs,
    while a warning from the same logger still gets through."""
    configure_logging("test", "INFO")
    url = "http://gateway.test/send?apiKey=never-logged-key"
    transport = httpx.MockTransport(lambda _: httpx.Response(200, json={"code": 0}))
    with httpx.Client(transport=transport) as client:
        assert client.get(url).status_code == 200
    logging.getLogger("httpx").warning("a warning still shows")
    out = capsys.readouterr().out
    assert "a warning still shows" in out
    assert "never-logged-key" not in out
    assert "gateway.test" not in out
