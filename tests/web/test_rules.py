from dataclasses import replace

import httpx
import pytest

from palace.models import AuditEvent, BookingRules, OpeningHours, Role
from palace.services.core.errors import ServiceError
from palace.services.facilities import rule_schema, rules
from palace.web import rules_form
from tests.helpers import log_in, make_hall, make_member, post_form, visible_text
from tests.services.facilities.test_rules import COURT, _state


def valid_form(**changes: str) -> dict[str, str]:
    """The rules form as make_hall's hall shows it: court defaults, open round the clock."""
    values = {
        "slot_minutes": "60",
        "days_ahead": "7",
        "opens_at": "08:00",
        "max_active": "2",
        "max_hours": "2",
        "cancel_cutoff_hours": "2",
        "partners_allowed": "on",
        "waitlist_auto_hours": "2",
        "offer_minutes": "20",
        "checkin_before": "30",
        "checkin_after": "15",
        "queue_seconds": "30",
        "guests_allowed": "",
    }
    for day in range(7):
        values[f"open_{day}"], values[f"close_{day}"], values[f"closed_{day}"] = (
            "00:00",
            "24:00",
            "",
        )
    return {**values, **changes}


async def test_the_form_shows_the_stored_rules_in_hours() -> None:
    hall = await make_hall(cancel_cutoff_minutes=90, max_minutes_per_day=150)
    form = await rules.rules_form(facility_id=hall.id)
    shown = rules_form.values_of(form.rules, form.hours)
    assert shown == valid_form(cancel_cutoff_hours="1.5", max_hours="2.5")
    assert form.upcoming_bookings == 0


def test_the_form_is_read_into_typed_rules() -> None:
    typed = valid_form(opens_at="０７：３０", max_hours="1.5", cancel_cutoff_hours="0.25")
    change, hours = rules_form.read({**typed, "closed_6": "on"})
    assert change == replace(
        COURT, opens_minute=450, max_minutes_per_day=90, cancel_cutoff_minutes=15
    )
    assert hours[6] == [] and hours[0] == [(0, 24 * 60)]


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"days_ahead": "2.5"}, "days_ahead", "days_ahead_invalid"),
        ({"days_ahead": "seven"}, "days_ahead", "days_ahead_invalid"),
        ({"opens_at": "25:00"}, "opens_at", "time_invalid"),
        ({"opens_at": "8"}, "opens_at", "time_invalid"),
        ({"cancel_cutoff_hours": "NaN"}, "cancel_cutoff_hours", "cutoff_invalid"),
        ({"max_hours": "1e999"}, "max_hours", "max_hours_invalid"),
        ({"open_2": "9:70"}, "hours_2", "opening_time_invalid"),
        ({"open_3": "", "close_3": ""}, "hours_3", "opening_time_invalid"),
        ({"open_5": "24:00", "close_5": "24:00"}, "hours_5", "opening_time_invalid"),
    ],
)
def test_text_that_is_not_a_value_is_named_by_its_field(
    changes: dict[str, str], field: str, code: str
) -> None:
    with pytest.raises(ServiceError) as caught:
        rules_form.read(valid_form(**{"max_active": "5", **changes}))
    assert (caught.value.code, caught.value.fields) == ("rules_invalid", {field: code})


def test_unreadable_and_out_of_range_fields_are_all_named_at_once() -> None:
    values = valid_form(days_ahead="999", opens_at="8点", max_active="0", open_3="18:00",
                        close_3="09:00", checkin_after="x")  # fmt: skip
    with pytest.raises(ServiceError) as caught:
        rules_form.read(values)
    assert caught.value.fields == {
        "days_ahead": "days_ahead_invalid",
        "opens_at": "time_invalid",
        "max_active": "max_active_invalid",
        "hours_3": "closes_before_opens",
        "checkin_after": "checkin_minutes_invalid",
    }


async def test_the_page_marks_every_bad_field_of_one_save(client: httpx.AsyncClient) -> None:
    hall = await make_hall()
    await log_in(client, await make_member(role=Role.STAFF, language="en"))
    path = f"/staff/facilities/{hall.id}/rules"
    values = valid_form(days_ahead="999", opens_at="eight")
    response = await post_form(client, path, values, page=path)
    assert response.status_code == 400
    assert 'id="days_ahead-help" class="field-error"' in response.text
    assert 'id="opens_at-help" class="field-error"' in response.text


async def test_a_rule_out_of_range_is_named_by_its_field_and_nothing_is_saved() -> None:
    hall = await make_hall()
    staff = await make_member()
    before = await _state(hall.id)
    for values, field in [
        (valid_form(max_hours="1.25"), "max_hours"),
        (valid_form(cancel_cutoff_hours="-1"), "cancel_cutoff_hours"),
        (valid_form(open_4="18:00", close_4="09:00"), "hours_4"),
    ]:
        with pytest.raises(ServiceError) as caught:
            await rules_form.save(actor_id=staff.id, facility_id=hall.id, values=values)
        assert list(caught.value.fields) == [field]
    assert await _state(hall.id) == before


async def test_staff_reach_the_rules_page_from_the_overview(client: httpx.AsyncClient) -> None:
    hall = await make_hall()
    await log_in(client, await make_member(role=Role.STAFF, language="en"))
    overview = await client.get("/staff")
    assert f'href="/staff/facilities/{hall.id}/rules"' in overview.text
    page = await client.get(f"/staff/facilities/{hall.id}/rules")
    assert page.status_code == 200
    assert 'name="opens_at" type="text" value="08:00"' in page.text
    assert 'value="60" selected' in page.text
    assert 'name="partners_allowed" value="on" role="switch" checked' in page.text


async def test_staff_save_rules(client: httpx.AsyncClient) -> None:
    hall = await make_hall()
    await log_in(client, await make_member(role=Role.STAFF, language="en"))
    path = f"/staff/facilities/{hall.id}/rules"
    values = valid_form(days_ahead="3", max_hours="1.5", partners_allowed="")
    response = await post_form(client, path, values, page=path)
    assert response.status_code == 303
    assert "Saved." in (await client.get(path)).text
    row = await BookingRules.get(facility_id=hall.id)
    assert (row.days_ahead, row.max_minutes_per_day, row.partners_allowed) == (3, 90, False)


async def test_bad_input_is_explained_beside_the_field_and_kept(
    client: httpx.AsyncClient,
) -> None:
    hall = await make_hall()
    await log_in(client, await make_member(role=Role.STAFF, language="en"))
    path = f"/staff/facilities/{hall.id}/rules"
    values = valid_form(days_ahead="99", max_active="4", open_2="18:00", close_2="09:00")
    response = await post_form(client, path, values, page=path)
    assert response.status_code == 400
    text = visible_text(response.text)
    assert "Nothing was saved. Please correct the fields marked below." in text
    assert "Enter a whole number of days from 0 to 60." in text
    assert "The closing time must be after the opening time." in text
    assert 'id="days_ahead-help" class="field-error"' in response.text
    assert 'name="days_ahead" type="number" value="99"' in response.text
    assert 'name="max_active" type="number" value="4"' in response.text
    assert 'name="open_2" value="18:00"' in response.text
    row = await BookingRules.get(facility_id=hall.id)
    assert (row.days_ahead, row.max_active) == (7, 2)
    assert await OpeningHours.filter(facility_id=hall.id, weekday=2, opens_minute=0).exists()
    assert await AuditEvent.filter(entity="facility").count() == 0


async def test_locked_slot_length_says_why(client: httpx.AsyncClient) -> None:
    from palace.services.booking import bookings
    from tests.helpers import court, slot_at

    hall = await make_hall()
    member = await make_member()
    await bookings.book(
        member_id=member.id, resource_id=(await court(hall)).id, starts_at=slot_at()
    )
    await log_in(client, await make_member(role=Role.STAFF, language="en"))
    path = f"/staff/facilities/{hall.id}/rules"
    response = await post_form(client, path, valid_form(slot_minutes="30"), page=path)
    assert response.status_code == 400
    assert "cannot change while the hall has upcoming bookings (1)" in visible_text(response.text)
    assert (await BookingRules.get(facility_id=hall.id)).slot_minutes == 60


async def test_members_may_not_see_or_change_rules(client: httpx.AsyncClient) -> None:
    hall = await make_hall()
    await log_in(client, await make_member())
    path = f"/staff/facilities/{hall.id}/rules"
    assert (await client.get(path)).status_code == 403
    response = await post_form(client, path, valid_form(days_ahead="1"), page="/")
    assert response.status_code == 403
    assert (await BookingRules.get(facility_id=hall.id)).days_ahead == 7


async def test_unknown_hall_is_404(client: httpx.AsyncClient) -> None:
    await log_in(client, await make_member(role=Role.STAFF))
    assert (await client.get("/staff/facilities/999999/rules")).status_code == 404
    assert (await client.get("/staff/facilities/abc/rules")).status_code == 404
    path = "/staff/facilities/999999/rules"
    assert (await post_form(client, path, valid_form(), page="/staff")).status_code == 404


async def test_staff_edit_the_waitlist_cut_off_and_the_offer_time(
    client: httpx.AsyncClient,
) -> None:
    hall = await make_hall()
    await log_in(client, await make_member(role=Role.STAFF, language="en"))
    path = f"/staff/facilities/{hall.id}/rules"
    page = await client.get(path)
    assert 'name="waitlist_auto_hours" type="number" value="2"' in page.text
    assert 'name="offer_minutes" type="number" value="20"' in page.text
    values = valid_form(waitlist_auto_hours="1.5", offer_minutes="45")
    response = await post_form(client, path, values, page=path)
    assert response.status_code == 303
    row = await BookingRules.get(facility_id=hall.id)
    assert (row.waitlist_auto_minutes, row.offer_minutes) == (90, 45)
    event = await AuditEvent.get(entity="facility", entity_id=hall.id)
    assert event.detail == {"waitlist_auto_minutes": [120, 90], "offer_minutes": [20, 45]}
    page = await client.get(path)
    assert 'name="waitlist_auto_hours" type="number" value="1.5"' in page.text
    history = visible_text((await client.get("/staff/audit?kind=facility")).text)
    assert "Offer time (minutes): 20 → 45" in history
    assert "Waitlist auto-book cut-off (minutes): 120 → 90" in history


async def test_a_bad_waitlist_cut_off_or_offer_time_is_said_beside_it(
    client: httpx.AsyncClient,
) -> None:
    hall = await make_hall()
    await log_in(client, await make_member(role=Role.STAFF, language="en"))
    path = f"/staff/facilities/{hall.id}/rules"
    values = valid_form(waitlist_auto_hours="73", offer_minutes="2")
    response = await post_form(client, path, values, page=path)
    assert response.status_code == 400
    assert 'id="waitlist_auto_hours-help" class="field-error"' in response.text
    assert 'id="offer_minutes-help" class="field-error"' in response.text
    text = visible_text(response.text)
    assert "Enter 0 to 72 hours, e.g. 2 or 1.5." in text
    assert "Enter a whole number of minutes from 5 to 240." in text
    row = await BookingRules.get(facility_id=hall.id)
    assert (row.waitlist_auto_minutes, row.offer_minutes) == (120, 20)


def test_every_typed_rule_is_on_the_form_with_its_declared_bounds() -> None:
    shown = {field.name: field for field in rules_form.form_rules()}
    typed = {
        rules_form.form_name(name)
        for name, rule in rule_schema.NUMBERS.items()
        if rule.unit != "choice"
    }
    assert set(shown) == typed
    assert 'min="5" max="240"' in shown["offer_minutes"].attrs
    assert 'min="0" max="72" step="any"' in shown["waitlist_auto_hours"].attrs
    assert 'min="0.5" max="24" step="0.5"' in shown["max_hours"].attrs
