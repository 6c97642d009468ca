import asyncio
from datetime import timedelta

import pytest

from palace.models import (
    AuditEvent,
    Booking,
    BookingRules,
    BookingSource,
    BookingStatus,
    Child,
    Closure,
    FacilityKind,
    MemberStatus,
    Role,
    Slot,
)
from palace.services.booking import bookings, releases, slots
from palace.services.booking.bookings import BookingError
from palace.services.core import clock
from tests.helpers import court, make_hall, make_member, make_session_slot, slot_at


async def _nothing_booked() -> None:
    assert await Booking.all().count() == 0
    assert all(s.taken == 0 for s in await Slot.all())


async def test_booking_a_court_takes_its_slot_and_is_audited() -> None:
    hall = await make_hall()
    member = await make_member()
    booking = await bookings.book(
        member_id=member.id, resource_id=(await court(hall)).id, starts_at=slot_at()
    )
    assert booking.status == BookingStatus.CONFIRMED
    assert clock.utc(booking.ends_at) - clock.utc(booking.starts_at) == timedelta(hours=1)
    slot = await Slot.get(id=booking.slot_id)
    assert (slot.capacity, slot.taken) == (1, 1)
    event = await AuditEvent.get(entity="booking", entity_id=booking.id)
    assert (event.actor_id, event.action, event.from_state, event.to_state) == (
        member.id,
        "book",
        None,
        "confirmed",
    )


async def test_a_court_taken_by_someone_else_is_just_taken() -> None:
    hall = await make_hall()
    first, second = await make_member(), await make_member()
    resource = await court(hall)
    await bookings.book(member_id=first.id, resource_id=resource.id, starts_at=slot_at())
    with pytest.raises(BookingError) as caught:
        await bookings.book(member_id=second.id, resource_id=resource.id, starts_at=slot_at())
    assert caught.value.code == "slot_taken"
    assert await Booking.filter(member_id=second.id).count() == 0
    assert (await Slot.get(resource_id=resource.id)).taken == 1


async def test_a_gym_hour_holds_its_capacity_and_no_more() -> None:
    gym = await make_hall(code="gym", courts=1, capacity=3, max_active=5)
    resource = await court(gym)
    members = [await make_member() for _ in range(4)]
    for m in members[:3]:
        await bookings.book(member_id=m.id, resource_id=resource.id, starts_at=slot_at())
    with pytest.raises(BookingError) as caught:
        await bookings.book(member_id=members[3].id, resource_id=resource.id, starts_at=slot_at())
    assert caught.value.code == "slot_taken"
    assert (await Slot.get(resource_id=resource.id)).taken == 3


async def test_fifty_concurrent_requests_for_the_last_place_make_one_booking() -> None:
    gym = await make_hall(code="gym", courts=1, capacity=2)
    resource = await court(gym)
    holder = await make_member()
    await bookings.book(member_id=holder.id, resource_id=resource.id, starts_at=slot_at())
    rivals = [await make_member() for _ in range(50)]

    async def attempt(member_id: int) -> str:
        try:
            await bookings.book(member_id=member_id, resource_id=resource.id, starts_at=slot_at())
        except BookingError as error:
            return error.code
        return "booked"

    outcomes = await asyncio.gather(*(attempt(m.id) for m in rivals))
    assert outcomes.count("booked") == 1
    assert set(outcomes) == {"booked", "slot_taken"}
    assert await Booking.filter(status=BookingStatus.CONFIRMED).count() == 2
    assert (await Slot.get(resource_id=resource.id)).taken == 2


async def test_double_submit_by_one_member_makes_one_booking() -> None:
    gym = await make_hall(code="gym", courts=1, capacity=10, max_active=10)
    resource = await court(gym)
    member = await make_member()

    async def attempt() -> str:
        try:
            await bookings.book(member_id=member.id, resource_id=resource.id, starts_at=slot_at())
        except BookingError as error:
            return error.code
        return "booked"

    outcomes = await asyncio.gather(*(attempt() for _ in range(10)))
    assert outcomes.count("booked") == 1
    assert set(outcomes) == {"booked", "already_booked"}
    assert (await Slot.get(resource_id=resource.id)).taken == 1


async def test_parallel_clicks_on_different_courts_respect_the_quota() -> None:
    hall = await make_hall(courts=6, max_active=2, max_minutes_per_day=600)
    member = await make_member()
    resources = [await court(hall, n) for n in range(1, 7)]

    async def attempt(resource_id: int, hour: int) -> str:
        try:
            await bookings.book(
                member_id=member.id, resource_id=resource_id, starts_at=slot_at(hour=hour)
            )
        except BookingError as error:
            return error.code
        return "booked"

    # Each court at another hour: one person is never booked twice at one time.
    outcomes = await asyncio.gather(*(attempt(r.id, 8 + n) for n, r in enumerate(resources)))
    assert outcomes.count("booked") == 2
    assert await Booking.filter(member_id=member.id).count() == 2


@pytest.mark.parametrize(
    ("starts_at", "code"),
    [
        (lambda: slot_at() + timedelta(minutes=30), "unknown_slot"),  # not on the grid
        (lambda: slot_at(days=-1), "slot_past"),
        (lambda: slot_at(days=9), "not_yet_open"),  # 7 days ahead is the window
    ],
)
async def test_slots_that_cannot_be_booked(starts_at, code: str) -> None:  # type: ignore[no-untyped-def]
    hall = await make_hall()
    member = await make_member()
    with pytest.raises(BookingError) as caught:
        await bookings.book(
            member_id=member.id, resource_id=(await court(hall)).id, starts_at=starts_at()
        )
    assert caught.value.code == code
    await _nothing_booked()


async def test_outside_opening_hours_is_unknown() -> None:
    hall = await make_hall()
    await hall.opening_hours.all().update(opens_minute=8 * 60, closes_minute=22 * 60)
    member = await make_member()
    with pytest.raises(BookingError) as caught:
        await bookings.book(
            member_id=member.id, resource_id=(await court(hall)).id, starts_at=slot_at(hour=22)
        )
    assert caught.value.code == "unknown_slot"
    await _nothing_booked()


async def test_a_closed_court_cannot_be_booked() -> None:
    hall = await make_hall()
    resource = await court(hall)
    await Closure.create(
        facility=hall,
        resource=resource,
        starts_at=slot_at(hour=9),
        ends_at=slot_at(hour=12),
        reason="比赛",
    )
    member = await make_member()
    with pytest.raises(BookingError) as caught:
        await bookings.book(member_id=member.id, resource_id=resource.id, starts_at=slot_at())
    assert caught.value.code == "slot_closed"
    await _nothing_booked()


async def test_quotas_on_active_bookings_and_hours_a_day() -> None:
    hall = await make_hall(courts=3, max_active=2, max_minutes_per_day=60)
    member = await make_member()
    c1, c2 = await court(hall, 1), await court(hall, 2)
    await bookings.book(member_id=member.id, resource_id=c1.id, starts_at=slot_at(hour=10))
    with pytest.raises(BookingError) as caught:
        await bookings.book(member_id=member.id, resource_id=c2.id, starts_at=slot_at(hour=12))
    assert caught.value.code == "over_quota_hours"
    await bookings.book(member_id=member.id, resource_id=c2.id, starts_at=slot_at(days=2))
    with pytest.raises(BookingError) as caught:
        await bookings.book(member_id=member.id, resource_id=c1.id, starts_at=slot_at(days=3))
    assert caught.value.code == "over_quota_active"
    assert await Booking.filter(member_id=member.id).count() == 2


async def test_a_suspended_member_cannot_book() -> None:
    hall = await make_hall()
    member = await make_member()
    member.status = MemberStatus.SUSPENDED
    await member.save()
    with pytest.raises(BookingError) as caught:
        await bookings.book(
            member_id=member.id, resource_id=(await court(hall)).id, starts_at=slot_at()
        )
    assert caught.value.code == "member_suspended"
    await _nothing_booked()


async def test_cancel_frees_the_place_and_late_cancel_is_recorded() -> None:
    hall = await make_hall(cancel_cutoff_minutes=120)
    member, other = await make_member(), await make_member()
    resource = await court(hall)
    early = await bookings.book(member_id=member.id, resource_id=resource.id, starts_at=slot_at())
    cancelled = await releases.cancel(member_id=member.id, booking_id=early.id)
    assert cancelled.status == BookingStatus.CANCELLED
    assert (await Slot.get(id=early.slot_id)).taken == 0
    again = await bookings.book(member_id=other.id, resource_id=resource.id, starts_at=slot_at())
    assert again.status == BookingStatus.CONFIRMED

    soon = clock.now().replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    late = await bookings.book(member_id=member.id, resource_id=resource.id, starts_at=soon)
    assert (await releases.cancel(member_id=member.id, booking_id=late.id)).status == (
        BookingStatus.LATE_CANCELLED
    )
    actions = await AuditEvent.filter(entity_id=late.id).values_list("action", "to_state")
    assert actions == [("book", "confirmed"), ("cancel", "late_cancelled")]


async def test_someone_elses_booking_cannot_be_cancelled() -> None:
    hall = await make_hall()
    owner, intruder = await make_member(), await make_member()
    booking = await bookings.book(
        member_id=owner.id, resource_id=(await court(hall)).id, starts_at=slot_at()
    )
    with pytest.raises(BookingError) as caught:
        await releases.cancel(member_id=intruder.id, booking_id=booking.id)
    assert caught.value.code == "unknown_booking"
    assert (await Booking.get(id=booking.id)).status == BookingStatus.CONFIRMED


async def test_cancel_and_rebook_racing_never_overfill() -> None:
    hall = await make_hall()
    resource = await court(hall)
    holder, rival = await make_member(), await make_member()
    for _ in range(10):
        booking = await bookings.book(
            member_id=holder.id, resource_id=resource.id, starts_at=slot_at()
        )

        async def rebook() -> str:
            try:
                await bookings.book(
                    member_id=rival.id, resource_id=resource.id, starts_at=slot_at()
                )
            except BookingError as error:
                return error.code
            return "booked"

        _, outcome = await asyncio.gather(
            releases.cancel(member_id=holder.id, booking_id=booking.id), rebook()
        )
        assert outcome in {"booked", "slot_taken"}
        live = await Booking.filter(status=BookingStatus.CONFIRMED).count()
        assert live == (await Slot.get(resource_id=resource.id)).taken <= 1
        for b in await Booking.filter(status=BookingStatus.CONFIRMED):
            await releases.cancel(member_id=b.member_id, booking_id=b.id)


async def test_an_empty_slot_row_left_from_a_longer_slot_cannot_double_book() -> None:
    hall = await make_hall(slot_minutes=60)
    resource = await court(hall)
    first, second = await make_member(), await make_member()
    early = await bookings.book(member_id=first.id, resource_id=resource.id, starts_at=slot_at())
    await releases.cancel(member_id=first.id, booking_id=early.id)
    await BookingRules.filter(facility_id=hall.id).update(slot_minutes=30)
    a = await bookings.book(member_id=first.id, resource_id=resource.id, starts_at=slot_at())
    half_past = slot_at() + timedelta(minutes=30)
    b = await bookings.book(member_id=second.id, resource_id=resource.id, starts_at=half_past)
    assert clock.utc(a.ends_at) == clock.utc(b.starts_at) == half_past


# The core: every way of getting a place goes through bookings.take with a slot id.


async def _take(member_id: int, slot_id: int, **extra: object) -> str:
    values = {"actor_id": member_id, "source": BookingSource.MEMBER, **extra}
    try:
        await bookings.take(member_id=member_id, slot_id=slot_id, **values)  # type: ignore[arg-type]
    except BookingError as error:
        return error.code
    return "booked"


async def test_take_records_who_acted_and_how() -> None:
    gym = await make_hall(code="gym", courts=1, capacity=5)
    member, clerk = await make_member(), await make_member(role=Role.DESK)
    slot = await slots.grid_slot(resource_id=(await court(gym)).id, starts_at=slot_at())
    booking = await bookings.take(
        member_id=member.id, slot_id=slot.id, actor_id=clerk.id, source=BookingSource.DESK
    )
    assert (booking.member_id, booking.source) == (member.id, BookingSource.DESK)
    event = await AuditEvent.get(entity="booking", entity_id=booking.id)
    assert (event.actor_id, event.action, event.to_state) == (clerk.id, "book", "confirmed")
    assert event.detail["source"] == "desk"
    assert (await Slot.get(id=slot.id)).taken == 1


async def test_an_unknown_slot_id_is_refused() -> None:
    member = await make_member()
    assert await _take(member.id, 999_999) == "unknown_slot"
    assert await Booking.all().count() == 0


async def test_fifty_concurrent_takes_of_the_last_class_place_make_one_booking() -> None:
    studio = await make_hall(code="studio", courts=1, max_active=5)
    slot = await make_session_slot(await court(studio), slot_at(hour=19), capacity=1)
    rivals = [await make_member() for _ in range(50)]
    outcomes = await asyncio.gather(*(_take(m.id, slot.id) for m in rivals))
    assert outcomes.count("booked") == 1
    assert set(outcomes) == {"booked", "slot_taken"}
    assert (await Slot.get(id=slot.id)).taken == 1
    assert await Booking.filter(status=BookingStatus.CONFIRMED).count() == 1


async def test_a_session_keeps_its_own_window_and_cut_off() -> None:
    studio = await make_hall(code="studio", courts=1, cancel_cutoff_minutes=0)
    room = await court(studio)
    opens = clock.now() + timedelta(hours=1)
    closed_yet = await make_session_slot(room, slot_at(hour=19), opens_at=opens)
    member = await make_member()
    assert await _take(member.id, closed_yet.id) == "not_yet_open"
    # A waitlist promotion was joined while the window was open: not refused for it.
    assert await _take(member.id, closed_yet.id, source=BookingSource.WAITLIST) == "booked"

    strict = await make_session_slot(room, slot_at(days=2), cancel_cutoff_minutes=3 * 24 * 60)
    booking = await bookings.take(
        member_id=member.id, slot_id=strict.id, actor_id=member.id, source=BookingSource.MEMBER
    )
    cancelled = await releases.cancel(member_id=member.id, booking_id=booking.id)
    assert cancelled.status == BookingStatus.LATE_CANCELLED  # the hall alone would say "free"


async def test_the_desk_books_a_walk_in_into_what_has_started_but_a_member_cannot() -> None:
    gym = await make_hall(code="gym", courts=1, capacity=5)
    started = clock.now() - timedelta(minutes=10)
    slot = await make_session_slot(await court(gym), started, minutes=60)
    member, clerk = await make_member(), await make_member(role=Role.DESK)
    assert await _take(member.id, slot.id) == "slot_past"
    assert await _take(member.id, slot.id, actor_id=clerk.id, source=BookingSource.DESK) == (
        "booked"
    )
    over = await make_session_slot(await court(gym), clock.now() - timedelta(hours=2))
    assert await _take(member.id, over.id, actor_id=clerk.id, source=BookingSource.DESK) == (
        "slot_past"
    )


async def test_children_take_places_of_their_own_and_count_their_own_quota() -> None:
    club = await make_hall(code="club", courts=1, max_active=1)
    slot = await make_session_slot(await court(club), slot_at(hour=16), capacity=10)
    parent, stranger = await make_member(), await make_member()
    first = await Child.create(parent=parent, name="小明", birth_year=2017)
    second = await Child.create(parent=parent, name="小红", birth_year=2019)
    theirs = await Child.create(parent=stranger, name="小刚", birth_year=2018)

    assert await _take(parent.id, slot.id, child_id=first.id) == "booked"
    assert await _take(parent.id, slot.id, child_id=second.id) == "booked"
    assert await _take(parent.id, slot.id, child_id=first.id) == "already_booked"
    assert await _take(parent.id, slot.id, child_id=theirs.id) == "unknown_child"
    # The parent's own quota of 1 is untouched by the children's places.
    assert await _take(parent.id, slot.id) == "booked"
    later = await make_session_slot(await court(club), slot_at(days=2, hour=16))
    assert await _take(parent.id, later.id, child_id=first.id) == "over_quota_active"
    assert (await Slot.get(id=slot.id)).taken == 3


async def test_a_double_submit_for_a_child_makes_one_booking() -> None:
    club = await make_hall(code="club", courts=1, max_active=5)
    slot = await make_session_slot(await court(club), slot_at(hour=16))
    parent = await make_member()
    child = await Child.create(parent=parent, name="小明", birth_year=2017)
    outcomes = await asyncio.gather(
        *(_take(parent.id, slot.id, child_id=child.id) for _ in range(8))
    )
    assert outcomes.count("booked") == 1
    assert set(outcomes) == {"booked", "already_booked"}
    assert (await Slot.get(id=slot.id)).taken == 1


async def test_cancelling_a_childs_place_frees_it_for_the_child_again() -> None:
    club = await make_hall(code="club", courts=1, max_active=5)
    slot = await make_session_slot(await court(club), slot_at(hour=16))
    parent = await make_member()
    child = await Child.create(parent=parent, name="小明", birth_year=2017)
    booking = await bookings.take(
        member_id=parent.id,
        slot_id=slot.id,
        actor_id=parent.id,
        source=BookingSource.MEMBER,
        child_id=child.id,
    )
    await releases.cancel(member_id=parent.id, booking_id=booking.id)
    assert await _take(parent.id, slot.id, child_id=child.id) == "booked"
    assert (await Slot.get(id=slot.id)).taken == 1


async def test_one_person_is_never_booked_in_two_places_at_once() -> None:
    """The clash rule (item 4): yoga 19:30-20:30 and a court at 20:00 cannot both be held."""
    hall = await make_hall(max_active=5)
    studio = await make_hall(code="studio", kind=FacilityKind.CLASSROOM, courts=2, max_active=5)
    yoga = await make_session_slot(await court(studio), slot_at(hour=19) + timedelta(minutes=30))
    parent = await make_member()
    assert await _take(parent.id, yoga.id) == "booked"
    with pytest.raises(BookingError) as clash:
        await bookings.book(
            member_id=parent.id, resource_id=(await court(hall)).id, starts_at=slot_at(hour=20)
        )
    assert (clash.value.code, clash.value.params) == ("booking_clash", {"at": yoga.starts_at})
    # Back to back is no clash.
    await bookings.book(
        member_id=parent.id, resource_id=(await court(hall)).id, starts_at=slot_at(hour=21)
    )
    # A child's place is the child's own time: the parent's yoga is no clash for it,
    # the child's other class at that time is.
    child = await Child.create(parent=parent, name="小明", birth_year=2017)
    club = await make_session_slot(await court(studio, 2), slot_at(hour=19))
    assert await _take(parent.id, club.id, child_id=child.id) == "booked"
    drawing = await make_session_slot(await court(studio), slot_at(hour=19) + timedelta(minutes=30))
    assert await _take(parent.id, drawing.id, child_id=child.id) == "booking_clash"
    # A cancelled booking is no clash.
    yoga_booking = await Booking.get(slot_id=yoga.id)
    await releases.cancel(member_id=parent.id, booking_id=yoga_booking.id)
    assert await _take(parent.id, drawing.id) == "booked"
