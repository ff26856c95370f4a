"""Astana's districts, and which approximate outline a point falls in."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

DISTRICTS: tuple[str, ...] = ("almaty", "baikonyr", "nura", "saraishyk", "saryarka", "yesil")

Ring = Sequence[Sequence[float]]


def _inside(lon: float, lat: float, ring: Ring) -> bool:
    """Ray casting over one ring of [lon, lat] points."""
    inside = False
    j = len(ring) - 1
    for i in range(len(ring)):
        xi, yi = ring[i][0], ring[i][1]
        xj, yj = ring[j][0], ring[j][1]
        if (yi > lat) != (yj > lat) and lon < (xj - xi) * (lat - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


def district_at(lat: float, lon: float, outlines: dict[str, Any]) -> str | None:
    """The district whose (approximate) polygon holds the point, from a GeoJSON collection."""
    for feature in outlines.get("features", []):
        geometry = feature.get("geometry") or {}
        polygons = (
            [geometry.get("coordinates", [])]
            if geometry.get("type") == "Polygon"
            else geometry.get("coordinates", [])
        )
        for polygon in polygons:
            if polygon and _inside(lon, lat, polygon[0]):
                return str(feature.get("properties", {}).get("id"))
    return None
