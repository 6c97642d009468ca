"""The audit trail in words: one code → text catalog for what was changed (kinds), what
was done (actions), the states before and after, and the details worth reading, used by
every page that shows audit rows (templates/staff/_audit_rows.html). A code missing
here is shown as "Other change", never as the raw code."""

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from markupsafe import Markup

from palace.i18n import N_, gettext_for
from palace.models import AuditEvent
from palace.services.messages import notices
from palace.web import badges, formats

KINDS = {
    "booking": N_("Booking"),
    "member": N_("Account"),
    "facility": N_("Hall rules"),
    "closure": N_("Closure"),
    "class_session": N_("Class session"),
    "class_schedule": N_("Weekly class"),
    "class_type": N_("Class"),
    "instructor": N_("Instructor"),
    "no_class_day": N_("Day without classes"),
    "holiday_year": N_("Holiday year"),
    "waitlist_entry": N_("Waitlist"),
    "child": N_("Child"),
    "calendar_feed": N_("Calendar feed"),
    "class_demand": N_("Class wish"),
}
# (kind, action) first, then the action alone.
ACTIONS: dict[tuple[str, str] | str, str] = {
    "book": N_("Booked"),
    "cancel": N_("Cancelled by the member"),
    "desk_cancel": N_("Cancelled at the desk for the member"),
    "staff_cancel": N_("Cancelled by staff"),
    ("booking", "close"): N_("Cancelled for a closure"),
    "check_in": N_("Checked in at the desk"),
    "no_show": N_("Released as a no-show"),
    "strike_waived": N_("Strike waived"),
    "account_disabled": N_("Cancelled: account disabled"),
    ("booking", "account_closed"): N_("Cancelled: account closed by the member"),
    ("member", "account_closed"): N_("Account closed by the member"),
    "partners": N_("Partners changed"),
    "partner_accepted": N_("Partner accepted the invitation"),
    "partner_declined": N_("Partner declined the invitation"),
    "partner_left": N_("Partner left the booking"),
    "partner_withdrawn": N_("Invitation withdrawn by the booker"),
    "session_cancel": N_("Cancelled with its class session"),
    "session_close": N_("Cancelled with its class session (closure)"),
    "session_no_class_day": N_("Cancelled: day without classes"),
    "session_drop": N_("Cancelled: the weekly class changed"),
    "session_moved": N_("Moved with its class session"),
    "registered": N_("Registered"),
    "password_changed": N_("Password changed"),
    "password_reset": N_("Password reset at the desk"),
    "role_changed": N_("Role changed"),
    "status_changed": N_("Status changed"),
    "booking_suspended": N_("Booking suspended for no-shows"),
    "suspension_lifted": N_("Suspension lifted"),
    "outbound_choices": N_("Message choices changed"),
    "rules": N_("Booking rules or opening hours changed"),
    ("closure", "close"): N_("Closed"),
    "reopen": N_("Reopened"),
    ("class_session", "cancel"): N_("Cancelled by staff"),
    ("class_session", "close"): N_("Cancelled for a closure"),
    ("class_session", "no_class_day"): N_("Cancelled: day without classes"),
    ("class_session", "drop"): N_("Cancelled: the weekly class changed"),
    "capacity": N_("Places changed"),
    "instructor": N_("Instructor changed"),
    "create": N_("Added"),
    "update": N_("Changed"),
    "edit": N_("Changed"),
    "delete": N_("Removed"),
    "confirm": N_("Confirmed"),
    "add": N_("Added"),
    "remove": N_("Removed"),
    "join": N_("Joined the line"),
    "leave": N_("Left the line"),
    "offer": N_("Offered a place"),
    "accept": N_("Accepted the offer"),
    "decline": N_("Declined the offer"),
    "expire": N_("Offer ran out"),
    "promote": N_("Booked from the line"),
    "skip": N_("Passed over"),
    ("waitlist_entry", "close"): N_("Line closed"),
    "reset": N_("New address made"),
    "revoke": N_("Address revoked"),
    "want": N_("Wish recorded"),
}
OTHER = N_("Other change")
STATES = {
    "scheduled": N_("Scheduled"),
    "waiting": N_("Waiting"),
    "offered": N_("Offered"),
    "booked": N_("Booked"),
    "left": N_("Left"),
    "declined": N_("Declined"),
    "expired": N_("Ran out"),
    "closed": N_("Closed"),
    "pending": N_("Invited"),
    "accepted": N_("Accepted"),
    "active": N_("Active"),
    "suspended": N_("Booking suspended"),
    "disabled": N_("Disabled"),
    "booking_suspended": N_("Booking suspended"),
    "member": N_("Member"),
    "desk": N_("Front desk"),
    "staff": N_("Staff"),
    "admin": N_("Administrator"),
}
# The rules a hall's rule change names (services/facilities/rules field names).
RULES = {
    "slot_minutes": N_("Slot length (minutes)"),
    "days_ahead": N_("Days ahead"),
    "opens_minute": N_("Booking opens at (minutes after midnight)"),
    "max_active": N_("Upcoming bookings per member"),
    "max_minutes_per_day": N_("Minutes per member per day"),
    "cancel_cutoff_minutes": N_("Cancellation cut-off (minutes)"),
    "checkin_before_minutes": N_("Check-in opens (minutes before)"),
    "checkin_after_minutes": N_("Check-in closes (minutes after)"),
    "partners_allowed": N_("Partners allowed"),
    "guests_allowed": N_("Guests allowed"),
    "open_through": N_("Booking open through"),
}
WEEKDAYS = (N_("Mon"), N_("Tue"), N_("Wed"), N_("Thu"), N_("Fri"), N_("Sat"), N_("Sun"))


def kind(entity: str, lang: str) -> str:
    return gettext_for(lang, KINDS.get(entity, OTHER))


def action(event: AuditEvent, lang: str) -> str:
    text = ACTIONS.get((event.entity, event.action)) or ACTIONS.get(event.action, OTHER)
    return gettext_for(lang, text)


def state(value: str | None, lang: str) -> Markup | str:
    """A booking's state as its badge; any other state in words."""
    if not value:
        return ""
    if value in badges.BADGES:
        return badges.badge(value, lang)
    return gettext_for(lang, STATES.get(value, OTHER))


def _t(lang: str, text: str, **values: object) -> str:
    return gettext_for(lang, text) % values


def _cards(value: object) -> str:
    return ", ".join(str(v) for v in value) if isinstance(value, list) else ""


def _rule_name(name: str, lang: str) -> str:
    if name.startswith("hours_") and name[6:].isdigit() and int(name[6:]) < 7:
        return _t(
            lang, N_("Opening hours, %(day)s"), day=gettext_for(lang, WEEKDAYS[int(name[6:])])
        )
    return gettext_for(lang, RULES.get(name, OTHER))


def _rule_changes(detail: Mapping[str, Any], lang: str) -> list[str]:
    lines = []
    for name, change in detail.items():
        if isinstance(change, list) and len(change) == 2:
            old, new = (gettext_for(lang, N_("Closed")) if v == "closed" else v for v in change)
            lines.append(f"{_rule_name(name, lang)}: {old} → {new}")
    return lines


def details(event: AuditEvent, lang: str) -> list[str]:
    """What the event's detail says that a person needs, each a line in ``lang``."""
    detail = event.detail if isinstance(event.detail, dict) else {}
    if event.entity == "facility" and event.action == "rules":
        return _rule_changes(detail, lang)
    lines = []
    if detail.get("reason"):
        reason = detail["reason"]
        words = notices.SKIP_REASONS.get(str(reason)) if event.action == "skip" else None
        shown = gettext_for(lang, words) if words else notices.reason_text(reason, lang)
        lines.append(_t(lang, N_("Reason: %(reason)s"), reason=shown))
    if cards := _cards(detail.get("invited")):
        lines.append(_t(lang, N_("Invited: %(cards)s"), cards=cards))
    if cards := _cards(detail.get("removed")):
        lines.append(_t(lang, N_("Invitation withdrawn: %(cards)s"), cards=cards))
    if detail.get("card"):
        lines.append(_t(lang, N_("Card: %(card)s"), card=detail["card"]))
    if cards := _cards(detail.get("partners")):
        lines.append(_t(lang, N_("Partners: %(cards)s"), cards=cards))
    if isinstance(detail.get("until"), str):
        until = formats.moment(datetime.fromisoformat(detail["until"]), lang)
        lines.append(_t(lang, N_("Until %(time)s"), time=until))
    if event.action == "capacity" and "to" in detail:
        lines.append(
            _t(lang, N_("Places: %(old)s → %(new)s"), old=detail.get("from"), new=detail["to"])
        )
    if isinstance(detail.get("bookings"), int):
        lines.append(_t(lang, N_("Bookings cancelled: %(count)s"), count=detail["bookings"]))
    return lines
