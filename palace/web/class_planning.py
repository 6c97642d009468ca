"""Staff plan classes: the week of rooms, schedules, one session, its printable roster."""

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from palace.i18n import N_, gettext_for
from palace.models import ClassType, Role
from palace.services.classes import class_planning, class_sessions, schedule_edits, schedules
from palace.services.classes.class_conflicts import Findings
from palace.services.classes.schedules import ScheduleConflict
from palace.services.core import clock
from palace.services.core.errors import ServiceError
from palace.web import flash
from palace.web.auth import page
from palace.web.errors import attempt, back_to
from palace.web.messages import field_messages, message
from palace.web.params import parse_id, path_id, query_day
from palace.web.templating import render, request_language

STAFF = (Role.STAFF, Role.ADMIN)
SAVED = N_("Saved. Sessions made for the coming weeks: %(count)s.")
EDITED = N_("Saved. Members told of changes to their sessions: %(count)s.")


def _member_id(request: Request) -> int:
    return int(request.state.member.id)


@page(*STAFF)
async def week_page(request: Request) -> Response:
    back_to(request, "/staff/classes")
    plan = await class_planning.week(day=query_day(request, "week"))
    demand = await class_planning.demand()
    context = {"plan": plan, "demand": demand, "today": clock.today()}
    return render(request, "staff/classes.html", context)


def _values(form: FormData) -> dict[str, object]:
    values: dict[str, object] = {key: str(form.get(key, ""))[:40] for key in schedules.FIELDS}
    values["days"] = [str(day)[:2] for day in form.getlist("days")][:7]
    return values


def readable(lang: str, code: str, params: dict[str, object]) -> str:
    """A message whose class names and holidays are in the reader's language."""
    shown = dict(params)
    name = shown.get("name")
    if isinstance(name, ClassType):
        shown["name"] = name.name(lang)
    holiday = shown.get("holiday")
    if isinstance(holiday, str):
        shown["holiday"] = gettext_for(lang, holiday)
    return message(lang, code, **shown)


def conflict_texts(lang: str, findings: Findings) -> list[str]:
    return [readable(lang, c.code, c.params) for c in findings.conflicts]


async def _form(
    request: Request,
    values: dict[str, object],
    *,
    schedule_id: int | None = None,
    error: ServiceError | None = None,
    status_code: int = 200,
) -> Response:
    lang = request_language(request)
    context: dict[str, object] = {
        "values": values,
        "choices": await schedules.choices(),
        "schedule_id": schedule_id,
        "errors": field_messages(lang, error) if error else {},
        "error": message(lang, error.code, **error.params) if error else None,
        "conflicts": [],
        "soft_only": False,
        "confirm_booked": error is not None and error.code == "schedule_changes_booked",
    }
    if isinstance(error, ScheduleConflict):
        context["conflicts"] = conflict_texts(lang, error.findings)
        context["soft_only"] = not error.findings.hard
    return render(request, "staff/schedule.html", context, status_code=status_code)


@page(*STAFF)
async def new_schedule(request: Request) -> Response:
    return await _form(request, schedules.new_form_values())


@page(*STAFF)
async def create_schedule(request: Request) -> Response:
    form = await request.form()
    values = _values(form)
    done = await attempt(schedules.create(actor_id=_member_id(request), values=values,
                                          skip_days=form.get("skip_days") == "1"))  # fmt: skip
    if isinstance(done, ServiceError):
        return await _form(request, values, error=done, status_code=400)
    flash.add(request, SAVED, count=done[1])
    return RedirectResponse("/staff/classes", status_code=303)


@page(*STAFF)
async def edit_schedule(request: Request) -> Response:
    schedule_id = path_id(request, "schedule_id")
    schedule = await schedules.get(schedule_id)
    if schedule is None:
        raise HTTPException(404)
    return await _form(request, schedules.form_values(schedule), schedule_id=schedule_id)


@page(*STAFF)
async def update_schedule(request: Request) -> Response:
    schedule_id, form = path_id(request, "schedule_id"), await request.form()
    values = _values(form)
    done = await attempt(schedule_edits.update(
        actor_id=_member_id(request), schedule_id=schedule_id, values=values,
        skip_days=form.get("skip_days") == "1", confirmed=form.get("confirmed") == "1",
    ))  # fmt: skip
    if isinstance(done, ServiceError):
        return await _form(request, values, schedule_id=schedule_id, error=done, status_code=400)
    flash.add(request, EDITED, count=done)
    return RedirectResponse("/staff/classes", status_code=303)


async def _session_page(
    request: Request, session_id: int, *, error: ServiceError | None = None
) -> Response:
    view = await class_planning.session_view(session_id=session_id)
    lang = request_language(request)
    context = {
        "view": view,
        "error": readable(lang, error.code, error.params) if error else None,
    }
    return render(request, "staff/class_session.html", context,
                  status_code=400 if error else 200)  # fmt: skip


@page(*STAFF)
async def session_page(request: Request) -> Response:
    return await _session_page(request, path_id(request, "session_id"))


@page(*STAFF)
async def roster(request: Request) -> Response:
    view = await class_planning.session_view(session_id=path_id(request, "session_id"))
    return render(request, "staff/roster.html", {"view": view})


async def _session_action(request: Request, done: str) -> Response:
    session_id = path_id(request, "session_id")
    form = await request.form()
    action = request.path_params["action"]
    count = await attempt(_act(action, _member_id(request), session_id, form))
    if isinstance(count, ServiceError):
        return await _session_page(request, session_id, error=count)
    flash.add(request, done, count=count)
    return RedirectResponse(f"/staff/classes/sessions/{session_id}", status_code=303)


async def _act(action: str, actor_id: int, session_id: int, form: FormData) -> int:
    if action == "cancel":
        reason = str(form.get("reason", ""))[:1000]
        return await class_sessions.cancel_session(
            actor_id=actor_id, session_id=session_id, reason=reason
        )
    number = parse_id(str(form.get("value", ""))[:12])
    if action == "capacity":
        await class_sessions.change_capacity(
            actor_id=actor_id, session_id=session_id, capacity=number or 0
        )
        return number or 0
    if number is None:
        raise ServiceError("instructor_unknown")
    return await schedule_edits.change_instructor(
        actor_id=actor_id, session_id=session_id, instructor_id=number,
        series=form.get("scope") == "series",
    )  # fmt: skip


DONE = {
    "cancel": N_("Session cancelled. Bookings cancelled and members notified: %(count)s."),
    "capacity": N_("Capacity changed to %(count)s places."),
    "instructor": N_("Instructor changed. Members notified: %(count)s."),
}


@page(*STAFF)
async def session_action(request: Request) -> Response:
    action = request.path_params["action"]
    if action not in DONE:
        raise HTTPException(404)
    return await _session_action(request, DONE[action])


routes = [
    Route("/staff/classes", week_page, methods=["GET"]),
    Route("/staff/classes/schedules/new", new_schedule, methods=["GET"]),
    Route("/staff/classes/schedules", create_schedule, methods=["POST"]),
    Route("/staff/classes/schedules/{schedule_id}", edit_schedule, methods=["GET"]),
    Route("/staff/classes/schedules/{schedule_id}", update_schedule, methods=["POST"]),
    Route("/staff/classes/sessions/{session_id}", session_page, methods=["GET"]),
    Route("/staff/classes/sessions/{session_id}/roster", roster, methods=["GET"]),
    Route("/staff/classes/sessions/{session_id}/{action}", session_action, methods=["POST"]),
]
