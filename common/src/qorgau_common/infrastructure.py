"""Which failures are the infrastructure's (retry until it is back) rather than the message's."""

from __future__ import annotations

import asyncpg

__all__ = ["INFRASTRUCTURE_ERRORS", "is_infrastructure_error"]

INFRASTRUCTURE_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    asyncpg.CannotConnectNowError,
    asyncpg.TooManyConnectionsError,
    # A pooled connection whose server went away (restart, failover, pg_terminate_backend)
    # reads the server's FATAL notice while idle and is left mid-protocol; the next statement
    # on it fails with "cannot switch to state 15; another operation (2) is in progress"
    # before the pool learns the socket closed. Reproduced with pg_terminate_backend on idle
    # pool connections (no two coroutines involved); a fresh connection cures it.
    asyncpg.InternalClientError,
)

# SQLSTATE classes and codes that mean "the server is going away or read-only", not "bad data":
# 08 connection exceptions, 57P01-57P03 admin/crash shutdown and cannot-connect-now, 25006
# read-only transaction (a failover in progress), 53 insufficient resources, 40 transaction
# rollback (a deadlock or serialization failure: the server undid the transaction, and the
# same work succeeds when tried again; a consumer batch sharing one transaction holds its
# locks longer, so a deadlock with a background round is possible, and must not park).
_INFRASTRUCTURE_SQLSTATES = ("57P01", "57P02", "57P03", "25006")
_INFRASTRUCTURE_CLASSES = ("08", "53", "40")


def is_infrastructure_error(exc: BaseException) -> bool:
    if isinstance(exc, INFRASTRUCTURE_ERRORS):
        return True
    sqlstate = getattr(exc, "sqlstate", None)
    if isinstance(exc, asyncpg.PostgresError) and isinstance(sqlstate, str):
        return sqlstate in _INFRASTRUCTURE_SQLSTATES or sqlstate[:2] in _INFRASTRUCTURE_CLASSES
    return False
