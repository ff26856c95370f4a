"""Use case: load a gazetteer file whole, or nothing of it."""

from __future__ import annotations

from qorgau_common.db import Connection

from intake.db import gazetteer as store
from intake.domain.streets import parse_gazetteer


async def load_gazetteer(
    conn: Connection, text: str, *, source: str, loaded_by: str
) -> tuple[int, int]:
    """Check every row (GazetteerFileError lists the bad ones), then store a new version.

    Returns (version, rows).
    """
    async with conn.transaction():
        rows = parse_gazetteer(text, await store.district_ids(conn))
        version = await store.load(conn, rows, source=source, loaded_by=loaded_by)
    return version, len(rows)
