"""A shared location → the district with the nearest centre. APPROXIMATE by design.

Districts are not circles: near a boundary the nearest centre can be the wrong district.
Good enough to get a social-media report moving; a supervisor can still correct it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

# Farther than this from every centre: not in Astana, so no district.
MAX_DISTANCE_KM = 25.0
_EARTH_RADIUS_KM = 6371.0


@dataclass(frozen=True)
class Centroid:
    district: str
    lat: float
    lon: float


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * _EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def nearest_district(lat: float, lon: float, centroids: list[Centroid]) -> str | None:
    if not centroids:
        return None
    best = min(centroids, key=lambda c: (distance_km(lat, lon, c.lat, c.lon), c.district))
    return best.district if distance_km(lat, lon, best.lat, best.lon) <= MAX_DISTANCE_KM else None
