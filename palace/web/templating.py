"""One Jinja environment per language; ``render`` picks the request's."""

from collections.abc import Mapping
from datetime import datetime
from functools import cache
from typing import Any

import jinja2
from babel.dates import format_date, format_datetime
from starlette.requests import Request
from starlette.responses import Response
from starlette.templating import Jinja2Templates

from palace import catalog
from palace.i18n import BABEL_LOCALES, LANGUAGE_NAMES, gettext_for, translations
from palace.paths import TEMPLATES_DIR
from palace.services.accounts import account_status
from palace.services.booking import partners
from palace.services.core import clock, text
from palace.services.fairness import queue_views
from palace.services.messages import notices
from palace.settings import LANGUAGES, get_settings
from palace.web import audit_labels, badges, csrf, flash, formats, nav, static
from palace.web.auth import request_language as request_language


def _localtime(value: datetime, lang: str, fmt: str = "medium") -> str:
    local = value.astimezone(get_settings().zone)
    return format_datetime(local, format=fmt, locale=BABEL_LOCALES[lang])


def _localdate(value: datetime, lang: str, fmt: str = "long") -> str:
    return format_date(
        value.astimezone(get_settings().zone), format=fmt, locale=BABEL_LOCALES[lang]
    )


@cache
def templates_for(lang: str) -> Jinja2Templates:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=jinja2.select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        # Templates change only with a new release, and a release restarts the processes:
        # without this every render would stat each template file it includes.
        auto_reload=False,
    )
    env.install_gettext_translations(translations(lang), newstyle=True)  # type: ignore[attr-defined]
    env.globals["lang"] = lang
    env.globals["static_url"] = static.static_url
    env.globals["languages"] = {code: LANGUAGE_NAMES[code] for code in LANGUAGES}
    env.filters["localtime"] = lambda value, fmt="medium": _localtime(value, lang, fmt)
    env.filters["localdate"] = lambda value, fmt="long": _localdate(value, lang, fmt)
    env.filters["day"] = lambda value: formats.day(value, lang)
    env.filters["masked"] = partners.masked
    env.filters["badge"] = lambda status: badges.badge(status, lang)
    # A state or enum value, or a weekday (0 = Monday), in words: palace/catalog's.
    env.filters["label"] = lambda value: catalog.label(lang, value)
    env.filters["weekday"] = lambda day: gettext_for(lang, catalog.WEEKDAYS[int(day)])
    # Minutes as hours (90 → 1.5) and as a time of day (450 → 07:30): one way everywhere.
    env.filters["hours"] = text.hours_text
    env.filters["hhmm"] = clock.hhmm
    env.filters["hm"] = lambda value: formats.hm(value, lang)
    env.filters["hms"] = lambda value: formats.hms(value, lang)
    env.filters["moment"] = lambda value: formats.moment(value, lang)
    # A message id kept in a variable: translated as plain text (escaped on output), not
    # through _(), which marks its result safe and %-formats it.
    env.filters["translate"] = lambda message_id: gettext_for(lang, str(message_id))
    env.filters["reason"] = lambda value: notices.reason_text(value, lang)
    # A member's opening-queue entry as My bookings names it (a label id).
    env.filters["queue_entry_label"] = queue_views.entry_label
    env.filters["account_status"] = account_status.effective_status
    env.filters["audit_kind"] = lambda entity: audit_labels.kind(entity, lang)
    env.filters["audit_action"] = lambda event: audit_labels.action(event, lang)
    env.filters["audit_state"] = lambda value: audit_labels.state(value, lang)
    env.filters["audit_details"] = lambda event: audit_labels.details(event, lang)
    return Jinja2Templates(env=env)


def warm_up() -> None:
    """Compile every template and load every locale's Babel data now, at start-up, so
    that they are made before the web process freezes its long-lived objects out of the
    collector's reach rather than during the first requests (see ``web.app.lifespan``)."""
    moment = datetime.now(get_settings().zone)
    for lang in LANGUAGES:
        env = templates_for(lang).env
        for name in env.list_templates(extensions=["html", "ics", "txt"]):
            env.get_template(name)
        _localtime(moment, lang)
        _localdate(moment, lang)
        _localdate(moment, lang, "EEE")
        formats.day(moment.date(), lang)
        formats.hm(moment, lang)
        formats.hms(moment, lang)
        formats.moment(moment, lang)


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def render(
    request: Request,
    name: str,
    context: Mapping[str, Any] | None = None,
    *,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
) -> Response:
    lang = request_language(request)
    whole_page = not name.split("/")[-1].startswith("_")  # fragments are named _something
    base = {
        "member": getattr(request.state, "member", None),
        "unread": getattr(request.state, "unread", 0),
        "suspension": getattr(request.state, "suspension", None),
        "csrf_token": csrf.token(request),
        "flashes": flash.pop_all(request) if whole_page else [],
        "nav": nav.tabs(request) if whole_page and "app" in request.scope else [],
        "current_path": request.url.path,
        "current_url": _local_url(request),
    }
    return templates_for(lang).TemplateResponse(
        request, name, {**base, **(context or {})}, status_code=status_code, headers=headers
    )


def _local_url(request: Request) -> str:
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")
