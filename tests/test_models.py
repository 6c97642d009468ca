from tortoise import Tortoise

from palace.models import Member


def test_model_docstrings_have_no_semicolons() -> None:
    # Tortoise turns a model's docstring into a table comment, and its SQLite schema
    # script splits on ";" - a semicolon there breaks `palace migrate`.
    for model in Tortoise.apps.get_models_iterable():  # type: ignore[union-attr]
        assert ";" not in (model.__doc__ or ""), model.__name__


async def test_the_database_refuses_a_second_account_with_one_card() -> None:
    import pytest
    from tortoise.exceptions import IntegrityError

    await Member.create(card_no="A1", name="甲", phone="13000000001", password_hash="x")
    with pytest.raises(IntegrityError):
        await Member.create(card_no="A1", name="乙", phone="13000000002", password_hash="x")


async def test_the_database_keeps_one_live_place_and_one_place_in_line_per_person() -> None:
    """Unique keys, not only the member lock: one live booking per member (or child) and
    slot, one live place in a line per member (or child) and slot; siblings may share."""
    from datetime import timedelta

    import pytest
    from tortoise.exceptions import IntegrityError
    from tortoise.transactions import in_transaction

    from palace.models import Booking, Child, WaitlistEntry, WaitMode
    from tests.helpers import court, make_hall, make_session_slot, slot_at

    parent = await Member.create(card_no="A1", name="甲", phone="13000000001", password_hash="x")
    first = await Child.create(parent=parent, name="小明", birth_year=2017)
    second = await Child.create(parent=parent, name="小红", birth_year=2018)
    room = await court(await make_hall(code="kids"))
    slot = await make_session_slot(room, slot_at(days=2))
    ends = slot.starts_at + timedelta(hours=1)
    place = {"slot_id": slot.id, "member_id": parent.id, "facility_id": room.facility_id,
             "resource_id": room.id, "starts_at": slot.starts_at, "ends_at": ends}  # fmt: skip
    line = {"slot_id": slot.id, "member_id": parent.id, "mode": WaitMode.AUTO}
    for child in (first, second):
        await Booking.create(**place, child_id=child.id, live_child_slot=slot.id)
        await WaitlistEntry.create(**line, child_id=child.id, live_child_slot=slot.id)
    await Booking.create(**place, live_slot=slot.id)
    await WaitlistEntry.create(**line, live_slot=slot.id)
    twice = [
        (Booking, {**place, "child_id": first.id, "live_child_slot": slot.id}),
        (Booking, {**place, "live_slot": slot.id}),
        (WaitlistEntry, {**line, "child_id": first.id, "live_child_slot": slot.id}),
        (WaitlistEntry, {**line, "live_slot": slot.id}),
    ]
    for model, values in twice:
        with pytest.raises(IntegrityError):
            async with in_transaction():
                await model.create(**values)  # type: ignore[attr-defined]
