"""The new-call form: checked field by field, then shaped as intake's `ReportIn`.

Errors are message ids (translated by the page), keyed by the form field they belong to.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from . import field_rules as rules
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
# The form's fields in the order the operator meets them (inline checks go by these names).
FIELDS = (
    "call_id",
    "caller_phone",
    "caller_name",
    "victim_name",
    "victim_phone",
    "street",
    "house",
    "apartment",
    "landmark",
    "narrative",
    "priority_reason",
)


@dataclass
class Checked:
    report: dict[str, Any] | None
    errors: dict[str, str] = field(default_factory=dict)


class _Fields:
    """Cleans each field by intake's rules, collecting one problem per field."""

    def __init__(self, form: Mapping[str, str]) -> None:
        self.form = form
        self.errors: dict[str, str] = {}

    def raw(self, name: str) -> str:
        return self.form.get(name) or ""

    def keep(self, name: str, result: str | rules.Problem) -> str:
        if isinstance(result, rules.Problem):
            self.errors[name] = result.message
            return ""
        return result

    def line(self, name: str, required: str | None = None) -> str:
        return self.keep(name, rules.line(self.raw(name), required=required))

    def phone(self, name: str, *, required: bool) -> str:
        if not required and not self.raw(name).strip():
            return ""
        return self.keep(name, rules.phone(self.raw(name)))


def _one_of(form: Mapping[str, str], name: str, allowed: tuple[str, ...]) -> str:
    value = (form.get(name) or "").strip()
    return value if value in allowed else allowed[0]


def _place(fields: _Fields) -> dict[str, Any]:
    place: dict[str, Any] = {}
    street = fields.line("street")
    if street:
        address = {"street": street}
        for part in ("house", "apartment", "landmark"):
            if value := fields.line(part):
                address[part] = value
        place["address"] = address
    lat, lon = fields.raw("lat").strip(), fields.raw("lon").strip()
    if lat and lon:
        try:
            place["coordinates"] = {"lat": float(lat), "lon": float(lon)}
        except ValueError:
            fields.errors["street"] = N_("The point picked on the map is not valid.")
    if not place and "street" not in fields.errors:
        fields.errors["street"] = N_("Give the street, or pick the place on the map.")
    district = fields.raw("district").strip()
    if district in DISTRICTS:
        place["district"] = district
    return place


def check_report(form: Mapping[str, str], language: str) -> Checked:
    fields = _Fields(form)
    call_id = fields.raw("call_id").strip()
    if not _CALL_ID.match(call_id):
        fields.errors["call_id"] = N_("Call id: letters, digits and . _ : - only, up to 64.")
    caller_phone = fields.phone("caller_phone", required=True)
    caller_name = fields.line("caller_name")
    victim_name = fields.line("victim_name")
    victim_phone = fields.phone("victim_phone", required=False)
    narrative = fields.keep(
        "narrative", rules.text(fields.raw("narrative"), required=N_("Write what the caller said."))
    )
    priority = fields.raw("priority").strip()
    if priority not in PRIORITIES:
        priority = ""
    reason = fields.line(
        "priority_reason",
        required=N_("Give the reason for raising the priority.") if priority else None,
    )
    place = _place(fields)
    if fields.errors:
        return Checked(None, fields.errors)
    victim: dict[str, Any] = {
        "age_band": _one_of(form, "victim_age_band", AGE_BANDS),
        "sex": _one_of(form, "victim_sex", SEXES),
    }
    if victim_name:
        victim["name"] = victim_name
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
        "narrative": narrative,
        "language": form["language"] if form.get("language") in ("ru", "kk") else language,
        "exercise": form.get("exercise") in ("on", "yes", "true"),
    }
    if caller_name:
        report["caller"] = {"name": caller_name}
    if priority:
        report["priority"] = priority
        report["priority_reason"] = reason
    return Checked(report)


def intake_field(pointer: str) -> str:
    """The form field an intake problem points at (`victim.phone` → `victim_phone`)."""
    head = pointer.split(".")
    if head[0] in ("address", "coordinates"):
        return "street"
    if head[0] in ("victim", "caller") and len(head) > 1:
        return f"{head[0]}_{head[1]}"
    return head[0]
