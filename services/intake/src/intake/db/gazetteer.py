"""SQL for districts, the gazetteer and the approximate district centres."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from qorgau_common.db import Connection

from intake.domain.places import Centroid
from intake.domain.streets import GazetteerRow


async def district_ids(conn: Connection) -> frozenset[str]:
    return frozenset(r["id"] for r in await conn.fetch("SELECT id FROM intake.districts"))


async def known_district(conn: Connection, district: str) -> bool:
    return bool(await conn.fetchval("SELECT true FROM intake.districts WHERE id = $1", district))


async def lookup(conn: Connection, street_key: str, on: date) -> tuple[int | None, list[str]]:
    """The newest gazetteer version and the districts it gives the street on `on`."""
    version: int | None = await conn.fetchval("SELECT max(version) FROM intake.gazetteer_versions")
    if version is None:
        return None, []
    rows = await conn.fetch(
        "SELECT district FROM intake.gazetteer WHERE version = $1 AND street_key = $2"
        " AND valid_from <= $3 AND (valid_to IS NULL OR valid_to > $3)",
        version,
        street_key,
        on,
    )
    return version, [r["district"] for r in rows]


async def load(
    conn: Connection, rows: Sequence[GazetteerRow], *, source: str, loaded_by: str
) -> int:
    """Store `rows` as a new version, in the caller's transaction; the version number."""
    await conn.execute("LOCK TABLE intake.gazetteer_versions IN EXCLUSIVE MODE")
    version: int = await conn.fetchval(
        "INSERT INTO intake.gazetteer_versions (version, source, rows, loaded_by)"
        " SELECT coalesce(max(version), 0) + 1, $1, $2, $3 FROM intake.gazetteer_versions"
        " RETURNING version",
        source,
        len(rows),
        loaded_by,
    )
    await conn.executemany(
        "INSERT INTO intake.gazetteer (version, street_key, street, district, valid_from,"
        " valid_to) VALUES ($1, $2, $3, $4, $5, $6)",
        [(version, r.street_key, r.street, r.district, r.valid_from, r.valid_to) for r in rows],
    )
    return version


async def centroids(conn: Connection) -> list[Centroid]:
    rows = await conn.fetch("SELECT district, lat, lon FROM intake.district_centroids")
    return [Centroid(r["district"], r["lat"], r["lon"]) for r in rows]


async def streets_starting(
    conn: Connection, key_prefix: str, on: date, limit: int
) -> tuple[int | None, list[tuple[str, str]]]:
    """(version, [(street, district)]) of the newest version whose key starts with the prefix."""
    version: int | None = await conn.fetchval("SELECT max(version) FROM intake.gazetteer_versions")
    if version is None:
        return None, []
    rows = await conn.fetch(
        "SELECT DISTINCT ON (street_key, district) street, district FROM intake.gazetteer"
        " WHERE version = $1 AND starts_with(street_key, $2)"
        " AND valid_from <= $3 AND (valid_to IS NULL OR valid_to > $3)"
        " ORDER BY street_key, district LIMIT $4",
        version,
        key_prefix,
        on,
        limit,
    )
    return version, [(r["street"], r["district"]) for r in rows]
