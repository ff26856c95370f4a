"""Which failures are the infrastructure's: retried until it is back, never dead-lettered."""

from __future__ import annotations

import asyncpg
import pytest
from qorgau_common.infrastructure import is_infrastructure_error

GOING_AWAY = [
    asyncpg.ConnectionFailureError,  # 08006
    asyncpg.AdminShutdownError,  # 57P01
    asyncpg.CrashShutdownError,  # 57P02
    asyncpg.CannotConnectNowError,  # 57P03
    asyncpg.ReadOnlySQLTransactionError,  # 25006: a failover in progress
    asyncpg.InsufficientResourcesError,  # 53000
    asyncpg.DeadlockDetectedError,  # 40P01: undone by the server, succeeds when tried again
    asyncpg.SerializationError,  # 40001
]
BAD_DATA = [
    asyncpg.UniqueViolationError,
    asyncpg.InvalidTextRepresentationError,
    asyncpg.UndefinedTableError,
]


@pytest.mark.parametrize("error", GOING_AWAY)
def test_a_server_going_away_or_read_only_is_the_infrastructures(error: type[Exception]) -> None:
    assert is_infrastructure_error(error("server says no"))


@pytest.mark.parametrize("error", BAD_DATA)
def test_bad_data_is_the_messages(error: type[Exception]) -> None:
    assert not is_infrastructure_error(error("server says no"))


def test_a_pooled_connection_left_mid_protocol_by_a_dead_server_is_the_infrastructures() -> None:
    error = asyncpg.InternalClientError(
        "cannot switch to state 15; another operation (2) is in progress"
    )
    assert is_infrastructure_error(error)
