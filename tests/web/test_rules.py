import httpx

from palace.models import AuditEvent, BookingRules, OpeningHours, Role
from tests.helpers import log_in, make_hall, make_member, post_form, visible_text
from tests.services.test_rules import valid_form


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
    from palace.services import bookings
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
