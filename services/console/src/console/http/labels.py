"""Words for the codes the APIs use; each is a message id in the catalogues."""

from __future__ import annotations

from console.domain.messages import N_

STATUS = {
    "reported": N_("Reported"),
    "awaiting_triage": N_("Waiting for triage"),
    "assigned": N_("Assigned"),
    "acknowledged": N_("Acknowledged"),
    "escalated": N_("Escalated"),
    "resolved": N_("Resolved"),
    "unknown": N_("Unknown"),
}
COLUMNS = {
    "unassigned": N_("Unassigned"),
    "waiting": N_("Waiting for acknowledgement"),
    "escalated": N_("Escalated"),
    "unassignable": N_("Unassignable (no district)"),
    "acknowledged": N_("In work"),
}
PRIORITY = {"danger_now": N_("Danger now"), "high": N_("High"), "standard": N_("Standard")}
RISK = {"high": N_("High risk"), "medium": N_("Medium risk"), "standard": N_("Standard risk")}
CHANNEL = {
    "call_102": N_("102 police line"),
    "call_111": N_("111 hotline"),
    "telegram": N_("Telegram"),
    "instagram": N_("Instagram"),
    "whatsapp": N_("WhatsApp"),
}
DISTRICT = {
    "almaty": N_("Almaty"),
    "baikonyr": N_("Baikonyr"),
    "nura": N_("Nura"),
    "saraishyk": N_("Saraishyk"),
    "saryarka": N_("Saryarka"),
    "yesil": N_("Yesil"),
    "none": N_("No district"),
}
CHECKLIST = {
    "danger_now": N_("Danger right now"),
    "weapon": N_("Weapon used or threatened"),
    "strangulation": N_("Strangulation or choking"),
    "threats_to_kill": N_("Threats to kill"),
    "injuries": N_("Injuries"),
    "children_present": N_("Children present"),
    "pregnancy": N_("Pregnancy"),
    "recent_separation": N_("Recent separation"),
    "stalking": N_("Stalking"),
    "earlier_reports": N_("Earlier reports"),
    "protective_order_breached": N_("Protective order breached"),
    "repeat": N_("Repeat report"),
}
OUTCOME = {
    "protective_order_issued": N_("Protective order issued"),
    "referred_to_crisis_centre": N_("Referred to a crisis centre"),
    "administrative_case": N_("Administrative case"),
    "criminal_case_opened": N_("Criminal case opened"),
    "no_grounds_found": N_("No grounds found"),
    "duplicate": N_("Duplicate report"),
}
RELATION = {
    "unknown": N_("Unknown"),
    "spouse": N_("Spouse"),
    "former_spouse": N_("Former spouse"),
    "partner": N_("Partner"),
    "former_partner": N_("Former partner"),
    "parent": N_("Parent"),
    "child": N_("Child"),
    "sibling": N_("Brother or sister"),
    "other_relative": N_("Other relative"),
    "other": N_("Other"),
}
AGE = {
    "unknown": N_("Unknown"),
    "child": N_("Child"),
    "18-29": "18–29",
    "30-44": "30–44",
    "45-59": "45–59",
    "60+": "60+",
}
SEX = {"unknown": N_("Unknown"), "female": N_("Female"), "male": N_("Male")}
ROLE = {
    "operator": N_("Operator"),
    "supervisor": N_("Duty supervisor"),
    "inspector": N_("Inspector"),
    "admin": N_("Administrator"),
}
OFFICER_STATUS = {"available": N_("Available"), "busy": N_("Busy"), "off": N_("Off")}
RESULT = {
    "done": N_("Done."),
    "conflict": N_("Not done: the case has changed meanwhile. Look again."),
    "not_available": N_("Not available yet: routing does not offer this to the console."),
    "unreachable": N_("Not done: the service is not answering. Try again."),
    "no_assignment": N_("Not done: no open assignment was found for this case."),
}
DAY = {"today": N_("Today"), "tomorrow": N_("Tomorrow")}
