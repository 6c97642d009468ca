"""Staff set up what classes are made of: class types, instructors, no-class days."""

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from palace.i18n import N_
from palace.models import ClassLevel, Role
from palace.services.classes import class_setup
from palace.services.core import clock
from palace.services.core.errors import ServiceError
from palace.web import flash
from palace.web.auth import page
from palace.web.errors import attempt, back_to, refusal, text_for
from palace.web.params import path_id
from palace.web.templating import render

STAFF = (Role.STAFF, Role.ADMIN)
HERE = "/staff/classes/setup"
NO_CLASS_DAY = N_("Saved. Sessions cancelled that day, with their members told: %(count)s.")
YEAR_CONFIRMED = N_(
    "Classes may now meet in %(year)s. Sessions made for the coming weeks: %(count)s."
)


def _actor(request: Request) -> int:
    return int(request.state.member.id)


async def _page(
    request: Request,
    *,
    error: str | None = None,
    preview: class_setup.NoClassDayPreview | None = None,
) -> Response:
    context = {
        "setup": await class_setup.overview(),
        "levels": [level.value for level in ClassLevel],
        "error": error,
        "today": clock.today(),
        "preview": preview,
    }
    return render(request, "staff/class_setup.html", context, status_code=400 if error else 200)


@page(*STAFF)
async def setup_page(request: Request) -> Response:
    return await _page(request)


async def _done(request: Request, action: str) -> Response:
    form = {k: str(v)[:2000] for k, v in (await request.form()).items()}
    done = await attempt(_add(_actor(request), action, form))
    if isinstance(done, ServiceError):
        return await _page(request, error=text_for(request, done))
    if isinstance(done, class_setup.NoClassDayPreview):
        return await _page(request, preview=done)
    text, count = done
    flash.add(request, text, count=count)
    return RedirectResponse(HERE, status_code=303)


async def _add(
    actor: int, action: str, form: dict[str, str]
) -> tuple[str, int] | class_setup.NoClassDayPreview:
    """What was added and how many sessions it cancelled; a no-class day before it is
    confirmed is only previewed (cancelling cannot be undone)."""
    if action == "types":
        await class_setup.add_class_type(
            actor_id=actor, name_zh=form.get("name_zh", ""), name_en=form.get("name_en", ""),
            description=form.get("description", ""), level=form.get("level", ""),
            children=form.get("for_children") == "1",
        )  # fmt: skip
        return N_("Class added."), 0
    if action == "instructors":
        await class_setup.add_instructor(actor_id=actor, name=form.get("name", ""))
        return N_("Instructor added."), 0
    day, reason = clock.parse_day(form.get("day", "")[:40]), form.get("reason", "")
    if form.get("confirmed") != "1":
        return await class_setup.no_class_day_preview(day=day, reason=reason)
    return NO_CLASS_DAY, await class_setup.add_no_class_day(actor_id=actor, day=day, reason=reason)


@page(*STAFF)
async def add_type(request: Request) -> Response:
    return await _done(request, "types")


@page(*STAFF)
async def add_instructor(request: Request) -> Response:
    return await _done(request, "instructors")


@page(*STAFF)
async def add_no_class_day(request: Request) -> Response:
    return await _done(request, "no_class_days")


@page(*STAFF)
async def remove_no_class_day(request: Request) -> Response:
    done = await refusal(class_setup.remove_no_class_day(
        actor_id=_actor(request), no_class_day_id=path_id(request, "day_id")
    ))  # fmt: skip
    if done is not None:
        return await _page(request, error=text_for(request, done))
    return RedirectResponse(HERE, status_code=303)


@page(*STAFF)
async def confirm_holiday_year(request: Request) -> Response:
    raw = str((await request.form()).get("year", ""))[:4]
    back_to(request, "/staff/classes")
    year = int(raw) if raw.isascii() and raw.isdigit() else 0
    count = await class_setup.confirm_holiday_year(actor_id=_actor(request), year=year)
    flash.add(request, YEAR_CONFIRMED, year=year, count=count)
    return RedirectResponse("/staff/classes", status_code=303)


async def _edited(request: Request, kind: str) -> Response:
    form = {k: str(v)[:2000] for k, v in (await request.form()).items()}
    done = await refusal(_edit(request, kind, form))
    if done is not None:
        return await _page(request, error=text_for(request, done))
    flash.add(request, N_("Saved."))
    return RedirectResponse(HERE, status_code=303)


async def _edit(request: Request, kind: str, form: dict[str, str]) -> None:
    actor, active = _actor(request), form.get("active") == "1"
    if kind == "type":
        await class_setup.update_class_type(
            actor_id=actor, class_type_id=path_id(request, "type_id"),
            name_zh=form.get("name_zh", ""), name_en=form.get("name_en", ""),
            description=form.get("description", ""), level=form.get("level", ""),
            children=form.get("for_children") == "1", active=active,
        )  # fmt: skip
        return
    await class_setup.update_instructor(
        actor_id=actor, instructor_id=path_id(request, "instructor_id"),
        name=form.get("name", ""), active=active,
    )  # fmt: skip


@page(*STAFF)
async def edit_type(request: Request) -> Response:
    return await _edited(request, "type")


@page(*STAFF)
async def edit_instructor(request: Request) -> Response:
    return await _edited(request, "instructor")


routes = [
    Route(HERE, setup_page, methods=["GET"]),
    Route("/staff/classes/types", add_type, methods=["POST"]),
    Route("/staff/classes/instructors", add_instructor, methods=["POST"]),
    Route("/staff/classes/types/{type_id}", edit_type, methods=["POST"]),
    Route("/staff/classes/instructors/{instructor_id}", edit_instructor, methods=["POST"]),
    Route("/staff/classes/no-class-days", add_no_class_day, methods=["POST"]),
    Route("/staff/classes/no-class-days/{day_id}/delete", remove_no_class_day, methods=["POST"]),
    Route("/staff/classes/holiday-years", confirm_holiday_year, methods=["POST"]),
]
