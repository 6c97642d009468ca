"""Staff close a hall or one court for a period, and reopen it."""

from dataclasses import dataclass
from datetime import datetime

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from palace.i18n import N_
from palace.models import Role
from palace.services.core import clock
from palace.services.core.errors import ServiceError
from palace.services.facilities import closures
from palace.web import flash
from palace.web.auth import page
from palace.web.errors import attempt
from palace.web.messages import field_messages, message
from palace.web.params import parse_id, path_id
from palace.web.templating import render, request_language

FIELDS = ("resource_id", "start_day", "start_time", "end_day", "end_time", "reason")
CLOSED_NONE = N_("Closed. No bookings were affected.")
CLOSED_SOME = N_("Closed. Bookings cancelled: %(count)s; their members have been notified.")


@dataclass(frozen=True)
class Posted:
    """The closure form as typed, and what could be read from it."""

    values: dict[str, str]
    resource_id: int | None
    starts_at: datetime | None
    ends_at: datetime | None
    errors: dict[str, str]


def _instant(day_text: str, time_text: str, *, end: bool) -> datetime | None:
    day = clock.parse_day(day_text)
    minute = clock.parse_minute(time_text, end_of_day=end)
    return None if day is None or minute is None else clock.at(day, minute)


def _read(form: FormData) -> Posted:
    values = {key: str(form.get(key, ""))[:400] for key in FIELDS}
    errors: dict[str, str] = {}
    resource_id = parse_id(values["resource_id"]) if values["resource_id"] else None
    if values["resource_id"] and resource_id is None:
        errors["resource_id"] = "closure_resource_unknown"
    starts_at = _instant(values["start_day"], values["start_time"], end=False)
    ends_at = _instant(values["end_day"], values["end_time"], end=True)
    if starts_at is None:
        errors["starts_at"] = "datetime_invalid"
    if ends_at is None:
        errors["ends_at"] = "datetime_invalid"
    return Posted(values, resource_id, starts_at, ends_at, errors)


async def _page(
    request: Request,
    facility_id: int,
    posted: Posted | None = None,
    *,
    errors: dict[str, str] | None = None,
    confirm: int | None = None,
    status_code: int = 200,
) -> Response:
    view = await closures.overview(facility_id=facility_id)
    today = clock.today().isoformat()
    values = posted.values if posted else {"start_day": today, "end_day": today}
    errors = errors or {}
    context = {
        "view": view,
        "values": values,
        "errors": errors,
        "error": errors.get("_form"),
        "confirm": confirm,
        "posted": posted,
    }
    return render(request, "staff/closures.html", context, status_code=status_code)


@page(Role.STAFF, Role.ADMIN)
async def closures_page(request: Request) -> Response:
    return await _page(request, path_id(request, "facility_id"))


async def _preview_or_close(
    actor_id: int, facility_id: int, posted: Posted, *, confirmed: bool
) -> tuple[int, bool]:
    """Bookings the closure cancels, and whether it was made or only previewed."""
    assert posted.starts_at is not None and posted.ends_at is not None
    resource_id, reason = posted.resource_id, posted.values["reason"]
    if not confirmed:
        # Closing cannot be undone for the members: show staff what it does first.
        count = await closures.affected(
            facility_id=facility_id,
            resource_id=resource_id,
            starts_at=posted.starts_at,
            ends_at=posted.ends_at,
            reason=reason,
        )
        return count, False
    _closure, count = await closures.close(
        actor_id=actor_id,
        facility_id=facility_id,
        resource_id=resource_id,
        starts_at=posted.starts_at,
        ends_at=posted.ends_at,
        reason=reason,
    )
    return count, True


@page(Role.STAFF, Role.ADMIN)
async def close(request: Request) -> Response:
    facility_id, form = path_id(request, "facility_id"), await request.form()
    posted = _read(form)
    if posted.errors:
        unread = ServiceError("closure_invalid", fields=posted.errors)
        return await _refused(request, facility_id, posted, unread)
    done = await attempt(_preview_or_close(request.state.member.id, facility_id, posted,
                                           confirmed=form.get("confirmed") == "1"))  # fmt: skip
    if isinstance(done, ServiceError):
        return await _refused(request, facility_id, posted, done)
    count, closed = done
    if not closed:
        return await _page(request, facility_id, posted, confirm=count)
    flash.add(request, CLOSED_SOME if count else CLOSED_NONE, count=count)
    return RedirectResponse(f"/staff/facilities/{facility_id}/closures", status_code=303)


async def _refused(
    request: Request, facility_id: int, posted: Posted, error: ServiceError
) -> Response:
    """The form again as typed, each problem by its field and the whole above."""
    lang = request_language(request)
    errors = {**field_messages(lang, error), "_form": message(lang, error.code, **error.params)}
    return await _page(request, facility_id, posted, errors=errors, status_code=400)


@page(Role.STAFF, Role.ADMIN)
async def reopen(request: Request) -> Response:
    closure_id = path_id(request, "closure_id")
    done = await attempt(closures.reopen(actor_id=request.state.member.id, closure_id=closure_id))
    if isinstance(done, ServiceError):
        flash.code(request, done.code)
        facility_id = done.params["facility_id"]
    else:
        flash.add(request, N_("Reopened. Bookings cancelled by the closure stay cancelled."))
        facility_id = done.facility_id
    return RedirectResponse(f"/staff/facilities/{facility_id}/closures", status_code=303)


routes = [
    Route("/staff/facilities/{facility_id}/closures", closures_page, methods=["GET"]),
    Route("/staff/facilities/{facility_id}/closures", close, methods=["POST"]),
    Route("/staff/closures/{closure_id}/delete", reopen, methods=["POST"]),
]
