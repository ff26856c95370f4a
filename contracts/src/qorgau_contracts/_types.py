from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

Channel = Literal["call_102", "call_111", "telegram", "instagram", "whatsapp"]
Priority = Literal["danger_now", "high", "standard"]
RiskLevel = Literal["standard", "medium", "high"]
Language = Literal["ru", "kk"]
AlertStatus = Literal["submitted", "delivered", "failed", "acknowledged", "declined"]
AssignmentPurpose = Literal["assignment", "supervisor_notice"]
AssignmentState = Literal[
    "open", "acknowledged", "declined", "failed", "expired", "reassigned", "resolved", "notice"
]
ReplyAnswer = Literal["acknowledge", "decline", "resolve"]
ReplyChannel = Literal["sms", "console"]
ReplyVerdict = Literal["applied", "already", "moved_on", "closed", "not_yours"]
FactChange = Literal["priority", "risk_level", "address_line", "district", "ack_deadline"]
Outcome = Literal[
    "protective_order_issued",
    "referred_to_crisis_centre",
    "administrative_case",
    "criminal_case_opened",
    "no_grounds_found",
    "duplicate",
]

DistrictId = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z][a-z0-9_]{1,31}$"),
    Field(description="District id (NENA EIDO: beat or dispatch group), e.g. `yesil`."),
]
ShortCode = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Z0-9]{4}$"),
    Field(description="Four-character code an inspector quotes in an SMS reply, e.g. `K7Q2`."),
]
E164 = Annotated[
    str,
    StringConstraints(pattern=r"^\+[1-9][0-9]{6,14}$"),
    Field(description="Phone number in E.164 form, e.g. `+77012345678`."),
]
