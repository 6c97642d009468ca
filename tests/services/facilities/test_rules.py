from dataclasses import replace
from datetime import timedelta

import pytest

from palace.models import AuditEvent, BookingRules, FacilityKind, OpeningHours
from palace.services.booking import bookings
from palace.services.core import clock
from palace.services.core.errors import ServiceError
from palace.services.facilities import rule_schema, rules
from palace.services.facilities.rules import RulesChange
from tests.helpers import court, make_hall, make_member, slot_at

# make_hall's hall: court defaults, open round the clock.
COURT = RulesChange(
    slot_minutes=60,
    days_ahead=7,
    opens_minute=8 * 60,
    max_active=2,
    max_minutes_per_day=120,
    cancel_cutoff_minutes=120,
    partners_allowed=True,
)
ALL_DAY: rules.Hours = {day: [(0, 24 * 60)] for day in range(7)}


async def save(facility_id: int, change: RulesChange = COURT, hours: rules.Hours = ALL_DAY) -> None:
    staff = await make_member()
    await rules.update_rules(actor_id=staff.id, facility_id=facility_id, change=change, hours=hours)


async def _state(facility_id: int) -> tuple[object, ...]:
    row = await BookingRules.get_or_none(facility_id=facility_id)
    stored = [getattr(row, f) for f in rule_schema.RULES] if row else None
    hours = await OpeningHours.filter(facility_id=facility_id).values_list(
        "weekday", "opens_minute", "closes_minute"
    )
    audits = await AuditEvent.filter(entity="facility").count()
    return (stored, sorted(hours), audits)


async def test_saving_creates_missing_rules_and_audits_only_what_changed() -> None:
    hall = await make_hall()
    await BookingRules.filter(facility_id=hall.id).delete()
    staff = await make_member()
    change = replace(
        COURT, days_ahead=3, opens_minute=450, max_minutes_per_day=90, cancel_cutoff_minutes=15
    )
    saved = await rules.update_rules(
        actor_id=staff.id, facility_id=hall.id, change=change, hours=ALL_DAY
    )
    row = await BookingRules.get(facility_id=hall.id)
    assert row.id == saved.id
    assert (row.days_ahead, row.opens_minute, row.max_minutes_per_day) == (3, 450, 90)
    assert (row.cancel_cutoff_minutes, row.slot_minutes, row.partners_allowed) == (15, 60, True)
    event = await AuditEvent.get(entity="facility", entity_id=hall.id)
    assert (event.actor_id, event.action) == (staff.id, "rules")
    assert event.detail == {
        "days_ahead": [7, 3],
        "opens_minute": [480, 450],
        "max_minutes_per_day": [120, 90],
        "cancel_cutoff_minutes": [120, 15],
    }


async def test_saving_the_same_values_writes_nothing() -> None:
    hall = await make_hall()
    await BookingRules.filter(facility_id=hall.id).delete()
    form = await rules.rules_form(facility_id=hall.id)
    await save(hall.id, COURT, form.hours)
    assert await AuditEvent.filter(entity="facility").count() == 0
    assert await BookingRules.filter(facility_id=hall.id).count() == 0


async def test_opening_hours_are_replaced_per_weekday() -> None:
    hall = await make_hall()
    await save(hall.id, hours={**ALL_DAY, 0: [(8 * 60, 22 * 60)], 6: []})
    hours = await OpeningHours.filter(facility_id=hall.id).values_list(
        "weekday", "opens_minute", "closes_minute"
    )
    assert sorted(hours) == [(0, 480, 1320)] + [(d, 0, 1440) for d in range(1, 6)]
    event = await AuditEvent.get(entity="facility", entity_id=hall.id)
    assert event.detail == {
        "hours_0": ["00:00-24:00", "08:00-22:00"],
        "hours_6": ["00:00-24:00", "closed"],
    }
    monday = clock.today() + timedelta(days=(7 - clock.today().weekday()) % 7)
    facility_rules = await rules.rules_for(hall)
    times = rules.slot_starts(
        facility_rules, await OpeningHours.filter(facility_id=hall.id), monday
    )
    assert times[0] == 8 * 60 and times[-1] == 21 * 60
    sunday = monday + timedelta(days=6)
    assert (
        rules.slot_starts(facility_rules, await OpeningHours.filter(facility_id=hall.id), sunday)
        == []
    )


@pytest.mark.parametrize(
    ("changes", "hours", "field", "code"),
    [
        ({"slot_minutes": 45}, {}, "slot_minutes", "slot_length_invalid"),
        ({"days_ahead": 61}, {}, "days_ahead", "days_ahead_invalid"),
        ({"days_ahead": -1}, {}, "days_ahead", "days_ahead_invalid"),
        ({"opens_minute": 24 * 60}, {}, "opens_minute", "time_invalid"),
        ({"max_active": 0}, {}, "max_active", "max_active_invalid"),
        ({"max_active": 21}, {}, "max_active", "max_active_invalid"),
        ({"max_minutes_per_day": 0}, {}, "max_minutes_per_day", "max_hours_invalid"),
        ({"max_minutes_per_day": 75}, {}, "max_minutes_per_day", "max_hours_invalid"),
        ({"max_minutes_per_day": 1470}, {}, "max_minutes_per_day", "max_hours_invalid"),
        ({"cancel_cutoff_minutes": 73 * 60}, {}, "cancel_cutoff_minutes", "cutoff_invalid"),
        ({"cancel_cutoff_minutes": -60}, {}, "cancel_cutoff_minutes", "cutoff_invalid"),
        ({"waitlist_auto_minutes": 73 * 60}, {}, "waitlist_auto_minutes", "auto_cutoff_invalid"),
        ({"waitlist_auto_minutes": -1}, {}, "waitlist_auto_minutes", "auto_cutoff_invalid"),
        ({"offer_minutes": 4}, {}, "offer_minutes", "offer_minutes_invalid"),
        ({"offer_minutes": 241}, {}, "offer_minutes", "offer_minutes_invalid"),
        ({}, {4: [(18 * 60, 9 * 60)]}, "hours_4", "closes_before_opens"),
        ({}, {5: [(24 * 60, 24 * 60)]}, "hours_5", "opening_time_invalid"),
    ],
)
async def test_each_bad_rule_is_named_and_nothing_is_saved(
    changes: dict[str, int], hours: rules.Hours, field: str, code: str
) -> None:
    hall = await make_hall()
    before = await _state(hall.id)
    # A good change alongside the bad one must not be saved either.
    change = replace(COURT, **{"max_active": 5, **changes})
    with pytest.raises(ServiceError) as caught:
        await save(hall.id, change, {**ALL_DAY, **hours})
    assert caught.value.code == "rules_invalid"
    assert caught.value.fields == {field: code}
    assert await _state(hall.id) == before


async def test_slot_length_is_locked_while_the_hall_has_upcoming_bookings() -> None:
    hall = await make_hall()
    member = await make_member()
    booking = await bookings.book(
        member_id=member.id, resource_id=(await court(hall)).id, starts_at=slot_at()
    )
    assert (await rules.rules_form(facility_id=hall.id)).upcoming_bookings == 1
    with pytest.raises(ServiceError) as caught:
        await save(hall.id, replace(COURT, slot_minutes=30, days_ahead=3))
    assert caught.value.fields == {"slot_minutes": "slot_length_locked"}
    assert caught.value.params == {"count": 1}
    row = await BookingRules.get(facility_id=hall.id)
    assert (row.slot_minutes, row.days_ahead) == (60, 7)
    assert await AuditEvent.filter(entity="facility").count() == 0
    # Other rules may change while bookings exist.
    await save(hall.id, replace(COURT, days_ahead=3))
    await bookings.cancel(member_id=member.id, booking_id=booking.id)
    await save(hall.id, replace(COURT, slot_minutes=30))
    assert (await BookingRules.get(facility_id=hall.id)).slot_minutes == 30


async def test_partners_stay_off_outside_court_halls() -> None:
    gym = await make_hall(code="gym", kind=FacilityKind.CAPACITY, courts=1, capacity=20)
    await save(gym.id, COURT)
    assert (await BookingRules.get(facility_id=gym.id)).partners_allowed is False


async def test_unknown_facility() -> None:
    with pytest.raises(ServiceError) as caught:
        await save(999999)
    assert caught.value.code == "unknown_facility"


# Stored beside the rules, but not rules staff set.
NOT_RULES = {"id", "facility", "facility_id", "open_through", "updated_at"}


def test_every_stored_rule_is_declared_once_in_the_schema() -> None:
    stored = BookingRules._meta.fields_map
    assert set(stored) - NOT_RULES == set(rule_schema.RULES)
    for name, rule in rule_schema.RULES.items():
        # A row made before a rule existed holds the declared default.
        assert stored[name].default == rule.default, name
        if rule.unit != "switch":
            assert rule.code, f"{name} has no error code"
            assert rule.allows(rule.default), name


def test_each_kind_of_hall_gets_its_declared_defaults() -> None:
    assert rule_schema.defaults(FacilityKind.COURT) == COURT
    gym = rule_schema.defaults(FacilityKind.CAPACITY)
    assert (gym.days_ahead, gym.opens_minute, gym.max_active) == (3, 7 * 60, 3)
    assert (gym.cancel_cutoff_minutes, gym.partners_allowed) == (60, False)
    assert (gym.waitlist_auto_minutes, gym.offer_minutes) == (120, 20)
    room = rule_schema.defaults(FacilityKind.CLASSROOM)
    assert room == replace(COURT, partners_allowed=False)
