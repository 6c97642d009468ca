"""Staff set which slots of a hall are balloted, the ballot's timeline and caps, and a
member's union branch (基层工会)."""

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from palace.i18n import N_
from palace.models import Role
from palace.services.core import clock
from palace.services.core.errors import ServiceError
from palace.services.fairness import ballot_setup
from palace.services.fairness.ballot_setup import Range, SettingsChange
from palace.web import flash
from palace.web.auth import page
from palace.web.errors import back_to
from palace.web.params import optional_id, path_id
from palace.web.templating import render

STAFF = (Role.STAFF, Role.ADMIN)
RANGE_ROWS = 6


def _number(form: FormData, name: str) -> int:
    raw = str(form.get(name, "")).strip()[:6]
    if not raw.isascii() or not raw.isdigit():
        raise ServiceError("invalid", fields={name: "ballot_setting_invalid"})
    return int(raw)


def _ranges(form: FormData) -> list[Range]:
    """The rows staff filled in (a row without a weekday is left out)."""
    found = []
    for n in range(RANGE_ROWS):
        weekday = str(form.get(f"weekday_{n}", ""))[:2]
        if not weekday:
            continue
        start = clock.parse_minute(str(form.get(f"from_{n}", ""))[:10])
        end = clock.parse_minute(str(form.get(f"to_{n}", ""))[:10], end_of_day=True)
        if not weekday.isdigit() or start is None or end is None:
            raise ServiceError("invalid", fields={f"range_{n}": "ballot_range_invalid"})
        found.append(Range(int(weekday), start, end))
    return found


def _change(form: FormData) -> SettingsChange:
    return SettingsChange(**{name: _number(form, name) for name in ballot_setup.SETTING_NAMES})


@page(*STAFF)
async def settings(request: Request) -> Response:
    hall = optional_id(request.query_params.get("hall"))
    shown = await ballot_setup.settings_page(facility_id=hall)
    context = {"settings_page": shown, "rows": range(RANGE_ROWS), "limits": ballot_setup.LIMITS}
    return render(request, "staff/ballots.html", context)


@page(*STAFF)
async def save(request: Request) -> Response:
    facility_id, form = path_id(request, "facility_id"), await request.form()
    back_to(request, f"/staff/ballots?hall={facility_id}")
    change, ranges, actor_id = _change(form), _ranges(form), request.state.member.id
    await ballot_setup.save_settings(facility_id=facility_id, change=change, ranges=ranges,
                                     actor_id=actor_id)  # fmt: skip
    flash.add(request, N_("Saved. Ballots made from now on use these settings."))
    return RedirectResponse(f"/staff/ballots?hall={facility_id}", status_code=303)


@page(*STAFF)
async def branch(request: Request) -> Response:
    form = await request.form()
    back_to(request, "/staff/ballots")
    card, name = str(form.get("card", ""))[:40], str(form.get("branch", ""))[:200]
    member = await ballot_setup.set_union_branch(card_no=card, branch=name,
                                                 actor_id=request.state.member.id)  # fmt: skip
    flash.add(request, N_("Union branch saved for %(name)s."), name=member.name)
    return RedirectResponse("/staff/ballots", status_code=303)


routes = [
    Route("/staff/ballots", settings, methods=["GET"]),
    Route("/staff/ballots/branch", branch, methods=["POST"]),
    Route("/staff/ballots/{facility_id}", save, methods=["POST"]),
]
