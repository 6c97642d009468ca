"""The Now board: now and next per court, who is expected and in which state."""

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest

from palace.models import FacilityKind, Member
from palace.services.booking import bookings, tickets
from palace.services.core import clock
from palace.services.desk import checkin, noshows, now_board
from tests.helpers import add_partners, court, make_hall, make_member, make_session_slot, slot_at

Move = Callable[[datetime], None]


@pytest.fixture
def move_to(monkeypatch: pytest.MonkeyPatch) -> Move:
    def move(instant: datetime) -> None:
        monkeypatch.setattr(clock, "now", lambda: instant)

    return move


def _states(board: now_board.Board, hall: int = 0, row: int = 0) -> list[list[tuple[str, str]]]:
    periods = board.halls[hall].rows[row].periods
    return [[(p.name, p.state.value) for e in x.expected for p in e.people] for x in periods]


async def test_the_board_shows_now_and_next_with_each_persons_state(move_to: Move) -> None:
    hall = await make_hall(courts=1)
    desk = await make_member()
    now_member, next_member, mate = (
        await make_member(name="甲"),
        await make_member(name="乙"),
        await make_member(name="丙"),
    )
    resource = await court(hall)
    ten, eleven = slot_at(1, 10), slot_at(1, 11)
    current = await bookings.book(member_id=now_member.id, resource_id=resource.id, starts_at=ten)
    following = await bookings.book(
        member_id=next_member.id, resource_id=resource.id, starts_at=eleven
    )
    await add_partners(next_member.id, following.id, [mate])
    move_to(ten + timedelta(minutes=5))
    board = await now_board.board(facility_id=hall.id)
    assert board.live
    assert _states(board) == [[("甲", "late")], [("乙", "due"), ("丙", "due")]]
    await checkin.by_code(actor_id=desk.id, token=tickets.token_for(current.id), facility_id=None)
    assert _states(await now_board.board(facility_id=None)) == [
        [("甲", "checked_in")],
        [("乙", "due"), ("丙", "due")],
    ]
    move_to(eleven + timedelta(minutes=20))
    await noshows.mark_no_shows()
    board = await now_board.board(facility_id=hall.id)
    assert _states(board)[0] == [("乙", "no_show"), ("丙", "no_show")]
    assert board.halls[0].rows[0].periods[0].walk_in  # the place is free for a walk-in


async def test_the_board_shows_class_sessions_and_free_times(move_to: Move) -> None:
    room = await make_hall(code="yoga", kind=FacilityKind.CLASSROOM, courts=1)
    gym = await make_hall(code="gym", kind=FacilityKind.CAPACITY, courts=1, capacity=20)
    member: Member = await make_member(name="丁")
    session = await make_session_slot(await court(room), slot_at(1, 19), capacity=12)
    await bookings.take(
        member_id=member.id,
        slot_id=session.id,
        actor_id=member.id,
        source=bookings.BookingSource.MEMBER,
    )
    six, seven = slot_at(1, 18), slot_at(1, 19)
    move_to(six + timedelta(minutes=50))
    yoga = await now_board.board(facility_id=room.id)
    period = yoga.halls[0].rows[0].periods[0]
    assert period.is_session and (period.free, _states(yoga)) == (11, [[("丁", "due")]])
    gym_board = await now_board.board(facility_id=gym.id)
    times = [(p.starts_at, p.free) for p in gym_board.halls[0].rows[0].periods]
    assert times == [(six, 20), (seven, 20)]


async def test_the_board_stops_when_nothing_more_is_on_today(move_to: Move) -> None:
    room = await make_hall(code="yoga", kind=FacilityKind.CLASSROOM, courts=1)
    seven = slot_at(1, 19)
    await make_session_slot(await court(room), seven)
    move_to(seven + timedelta(minutes=30))
    assert (await now_board.board(facility_id=room.id)).live
    move_to(seven + timedelta(hours=1))
    assert not (await now_board.board(facility_id=room.id)).live


async def test_a_room_shows_its_next_class_beside_its_next_court_time(move_to: Move) -> None:
    hall = await make_hall(courts=1)
    member = await make_member(name="戊")
    resource = await court(hall)
    ten, eleven = slot_at(1, 10), slot_at(1, 11)
    class_start = eleven + timedelta(minutes=5)
    session = await make_session_slot(resource, class_start, capacity=8)
    await bookings.take(
        member_id=member.id,
        slot_id=session.id,
        actor_id=member.id,
        source=bookings.BookingSource.MEMBER,
    )
    move_to(ten + timedelta(minutes=40))
    periods = (await now_board.board(facility_id=hall.id)).halls[0].rows[0].periods
    starts = [(p.starts_at, p.is_session) for p in periods]
    assert starts == [(ten, False), (eleven, False), (class_start, True)]
    assert [x.name for e in periods[2].expected for x in e.people] == ["戊"]
