"""Staff edit a hall's booking rules and opening hours."""

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from palace.i18n import N_
from palace.models import Role
from palace.services.facilities import rules
from palace.web import flash, rules_form
from palace.web.auth import page
from palace.web.errors import refusal
from palace.web.messages import field_messages, message
from palace.web.params import path_id
from palace.web.templating import render, request_language


async def _rules_form(facility_id: int) -> rules.RulesForm:
    return await rules.rules_form(facility_id=facility_id)


def _context(
    form: rules.RulesForm, values: dict[str, str], errors: dict[str, str]
) -> dict[str, object]:
    return {
        "facility": form.facility,
        "values": values,
        "errors": errors,
        "split_days": form.split_days,
        "upcoming_bookings": form.upcoming_bookings,
        "slot_lengths": rules.SLOT_LENGTHS,
        "rule_fields": rules_form.form_rules(),
        "error": errors.get("_form"),
    }


@page(Role.STAFF, Role.ADMIN)
async def edit(request: Request) -> Response:
    form = await _rules_form(path_id(request, "facility_id"))
    values = rules_form.values_of(form.rules, form.hours)
    return render(request, "staff/rules.html", _context(form, values, {}))


@page(Role.STAFF, Role.ADMIN)
async def save(request: Request) -> Response:
    facility_id = path_id(request, "facility_id")
    posted = await request.form()
    values = {key: value for key, value in posted.items() if isinstance(value, str)}
    done = await refusal(rules_form.save(actor_id=request.state.member.id,
                                         facility_id=facility_id, values=values))  # fmt: skip
    if done is not None:
        form, lang = await _rules_form(facility_id), request_language(request)
        errors = {**field_messages(lang, done), "_form": message(lang, done.code)}
        return render(request, "staff/rules.html", _context(form, values, errors), status_code=400)
    flash.add(request, N_("Saved."))
    return RedirectResponse(f"/staff/facilities/{facility_id}/rules", status_code=303)


routes = [
    Route("/staff/facilities/{facility_id}/rules", edit, methods=["GET"]),
    Route("/staff/facilities/{facility_id}/rules", save, methods=["POST"]),
]
