"""The audit trail in words: what was changed (kinds), what was done (actions), the
states before and after (palace/catalog's words), and the details worth reading, used
by every page that shows audit rows (templates/staff/_audit_rows.html). A code missing
from the catalog is shown as "Other change", never as the raw code."""

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from markupsafe import Markup

from palace import catalog
from palace.catalog import ACTIONS, KINDS, RULES, WEEKDAYS
from palace.i18n import N_, gettext_for
from palace.models import AuditEvent
from palace.services.messages import notices
from palace.web import badges, formats

OTHER = N_("Other change")


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
    return gettext_for(lang, catalog.label_id(value) or OTHER)


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
        shown = (
            notices.skip_reason(reason, detail.get("params"), lang)
            if event.action == "skip"
            else notices.reason_text(reason, lang)
        )
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
