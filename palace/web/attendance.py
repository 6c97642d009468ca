"""Staff: the day's attendance per hall and class, no-show rates, and a CSV for Excel."""

from datetime import timedelta

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from palace.i18n import N_, gettext_for
from palace.models import Role
from palace.services.desk import attendance
from palace.web.auth import page
from palace.web.errors import text_for
from palace.web.params import day_or_today
from palace.web.templating import render, request_language

STAFF = (Role.STAFF, Role.ADMIN)
HEADER = [
    N_("Date"),
    N_("Time"),
    N_("Hall"),
    N_("Court or room"),
    N_("Name"),
    N_("Card number"),
    N_("Status"),
    N_("Checked in at"),
    N_("Walk-in"),
]
STATES = {
    "confirmed": N_("Confirmed"),
    "checked_in": N_("Checked in"),
    "over": N_("Over"),
    "no_show": N_("No-show"),
}
YES = N_("Yes")


@page(*STAFF)
async def day_page(request: Request) -> Response:
    day, error = day_or_today(request)
    shown = await attendance.day_attendance(day=day)
    rates = await attendance.rates(lang=request_language(request))
    context = {
        "a": shown,
        "rates": rates,
        "error": error and text_for(request, error),
        "previous": shown.day - timedelta(days=1),
        "next": shown.day + timedelta(days=1),
    }
    return render(request, "staff/attendance.html", context, status_code=400 if error else 200)


@page(*STAFF)
async def day_csv(request: Request) -> Response:
    day = day_or_today(request)[0]
    lang = request_language(request)
    words = attendance.CsvWords(
        lang=lang,
        header=[gettext_for(lang, h) for h in HEADER],
        states={k: gettext_for(lang, v) for k, v in STATES.items()},
        yes=gettext_for(lang, YES),
    )
    body = attendance.day_csv(await attendance.day_attendance(day=day), words)
    headers = {"Content-Disposition": f'attachment; filename="attendance-{day.isoformat()}.csv"'}
    return Response(body, media_type="text/csv; charset=utf-8", headers=headers)


routes = [
    Route("/staff/attendance", day_page, methods=["GET"]),
    Route("/staff/attendance.csv", day_csv, methods=["GET"]),
]
