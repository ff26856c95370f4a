"""The new-call form: checked field by field, then shaped as intake's `ReportIn`.

Errors are message ids (translated by the page), keyed by the form field they belong to.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .districts import DISTRICTS
from .messages import N_

CHECKLIST: tuple[str, ...] = (
    "danger_now",
    "weapon",
    "strangulation",
    "threats_to_kill",
    "injuries",
    "children_present",
    "pregnancy",
    "recent_separation",
    "stalking",
    "earlier_reports",
    "protective_order_breached",
)
CHANNELS = ("call_102", "call_111")
AGE_BANDS = ("unknown", "child", "18-29", "30-44", "45-59", "60+")
SEXES = ("unknown", "female", "male")
RELATIONS = (
    "unknown",
    "spouse",
    "former_spouse",
    "partner",
    "former_partner",
    "parent",
    "child",
    "sibling",
    "other_relative",
    "other",
)
PRIORITIES = ("danger_now", "high", "standard")
_CALL_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
_PHONE_DIGITS = re.compile(r"\d")


@dataclass
class Checked:
    report: dict[str, Any] | None
    errors: dict[str, str] = field(default_factory=dict)


def _text(form: Mapping[str, str], name: str) -> str:
    return (form.get(name) or "").strip()


def _phone_ok(value: str) -> bool:
    return 10 <= len(_PHONE_DIGITS.findall(value)) <= 15 and not re.search(r"[^\d+()\s-]", value)


def _one_of(form: Mapping[str, str], name: str, allowed: tuple[str, ...]) -> str:
    value = _text(form, name)
    return value if value in allowed else allowed[0]


def _place(form: Mapping[str, str], errors: dict[str, str]) -> dict[str, Any]:
    place: dict[str, Any] = {}
    street = _text(form, "street")
    if street:
        address = {"street": street}
        for part in ("house", "apartment", "landmark"):
            if _text(form, part):
                address[part] = _text(form, part)[:120]
        place["address"] = address
    lat, lon = _text(form, "lat"), _text(form, "lon")
    if lat and lon:
        try:
            place["coordinates"] = {"lat": float(lat), "lon": float(lon)}
        except ValueError:
            errors["street"] = N_("The point picked on the map is not valid.")
    if not place:
        errors["street"] = N_("Give the street, or pick the place on the map.")
    district = _text(form, "district")
    if district in DISTRICTS:
        place["district"] = district
    return place


def check_report(form: Mapping[str, str], language: str) -> Checked:
    errors: dict[str, str] = {}
    call_id = _text(form, "call_id")
    if not _CALL_ID.match(call_id):
        errors["call_id"] = N_("Call id: letters, digits and . _ : - only, up to 64.")
    caller_phone = _text(form, "caller_phone")
    if not _phone_ok(caller_phone):
        errors["caller_phone"] = N_("Enter a phone number, for example 8 701 234 56 78.")
    victim_phone = _text(form, "victim_phone")
    if victim_phone and not _phone_ok(victim_phone):
        errors["victim_phone"] = N_("Enter a phone number, for example 8 701 234 56 78.")
    narrative = _text(form, "narrative")
    if not narrative:
        errors["narrative"] = N_("Write what the caller said.")
    priority = _text(form, "priority")
    reason = _text(form, "priority_reason")
    if priority and priority not in PRIORITIES:
        priority = ""
    if priority and not reason:
        errors["priority_reason"] = N_("Give the reason for raising the priority.")
    place = _place(form, errors)
    if errors:
        return Checked(None, errors)
    victim: dict[str, Any] = {
        "age_band": _one_of(form, "victim_age_band", AGE_BANDS),
        "sex": _one_of(form, "victim_sex", SEXES),
    }
    if _text(form, "victim_name"):
        victim["name"] = _text(form, "victim_name")[:120]
    if victim_phone:
        victim["phone"] = victim_phone
    report: dict[str, Any] = {
        "channel": _one_of(form, "channel", CHANNELS),
        "call_id": call_id,
        "caller_phone": caller_phone,
        "victim": victim,
        "perpetrator_relation": _one_of(form, "perpetrator_relation", RELATIONS),
        **place,
        "checklist": {name: form.get(name) in ("on", "yes", "true") for name in CHECKLIST},
        "narrative": narrative[:10_000],
        "language": _text(form, "language")
        if _text(form, "language") in ("ru", "kk")
        else language,
        "exercise": form.get("exercise") in ("on", "yes", "true"),
    }
    if priority:
        report["priority"] = priority
        report["priority_reason"] = reason[:120]
    return Checked(report)


def intake_field(pointer: str) -> str:
    """The form field an intake problem points at (`victim.phone` → `victim_phone`)."""
    head = pointer.split(".")
    if head[0] in ("address", "coordinates"):
        return "street"
    if head[0] == "victim" and len(head) > 1:
        return f"victim_{head[1]}"
    return head[0]
