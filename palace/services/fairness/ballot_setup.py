"""Which slots of a hall are balloted, when its ballots run, and the ballots of coming weeks.

Staff mark weekday time ranges of a hall as balloted and set the timeline (entries open
N days before the week, a window of at least 48 hours, the draw, the release of
leftovers) and the caps. A sweep makes each week's ballot when its entries open, with
the places fixed then (so later edits never change a ballot anyone has entered) and
the commitment to its secret published from the first moment.
"""

from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta

from tortoise.exceptions import IntegrityError

from palace.models import (
    Ballot,
    BallotRange,
    BallotSettings,
    Facility,
    Member,
)
from palace.models.ballots import MIN_WINDOW_HOURS
from palace.models.members import BRANCH_MAX
from palace.services.accounts import accounts
from palace.services.core import after_commit, audit, clock
from palace.services.core.errors import NotFound, ServiceError
from palace.services.facilities import rules, setup_cache
from palace.services.fairness import draw

DAY_MINUTES = 24 * 60
MAX_DAYS_AHEAD = 60
MAX_WINDOW_HOURS = 14 * 24
MAX_WEIGHT = 20


class BallotError(ServiceError):
    pass


class BallotNotFound(BallotError, NotFound):
    """An unknown ballot, entry or member (someone else's entry looks the same)."""


@dataclass(frozen=True)
class Range:
    weekday: int  # 0 = Monday
    starts_minute: int
    ends_minute: int


@dataclass(frozen=True)
class SettingsChange:
    """A hall's ballot settings as staff want them (BallotSettings' fields and units)."""

    opens_days_ahead: int = 14
    window_hours: int = 72
    draw_after_minutes: int = 60
    release_after_hours: int = 24
    max_weight: int = 4
    max_wins_per_week: int = 2
    max_wins_per_branch_day: int = 0


SETTING_NAMES = tuple(f.name for f in fields(SettingsChange))
# What each value may be: (smallest, largest).
LIMITS = {
    "opens_days_ahead": (3, MAX_DAYS_AHEAD),
    "window_hours": (MIN_WINDOW_HOURS, MAX_WINDOW_HOURS),
    "draw_after_minutes": (0, 24 * 60),
    "release_after_hours": (0, 7 * 24),
    "max_weight": (1, MAX_WEIGHT),
    "max_wins_per_week": (1, 50),
    "max_wins_per_branch_day": (0, 500),
}


async def settings_for(facility_id: int) -> BallotSettings:
    """The hall's settings, or the defaults (unsaved) where staff never saved any."""
    found = await BallotSettings.get_or_none(facility_id=facility_id)
    return found or BallotSettings(facility_id=facility_id)


async def ranges_for(facility_id: int) -> list[Range]:
    found = await BallotRange.filter(facility_id=facility_id)
    return [Range(r.weekday, r.starts_minute, r.ends_minute) for r in found]


def _check(change: SettingsChange, ranges: list[Range]) -> None:
    problems = {
        name: "ballot_setting_invalid"
        for name, (low, high) in LIMITS.items()
        if not low <= getattr(change, name) <= high
    }
    for n, r in enumerate(ranges):
        if not (0 <= r.weekday <= 6 and 0 <= r.starts_minute < r.ends_minute <= DAY_MINUTES):
            problems[f"range_{n}"] = "ballot_range_invalid"
    if problems:
        raise BallotError("invalid", fields=problems)
    # The window reaches the draw before the week starts: a ballot must be drawn first.
    if (
        change.window_hours * 60 + change.draw_after_minutes
        >= change.opens_days_ahead * DAY_MINUTES
    ):
        raise BallotError(
            "ballot_window_too_long", fields={"window_hours": "ballot_window_too_long"}
        )


async def save_settings(
    *, facility_id: int, change: SettingsChange, ranges: list[Range], actor_id: int
) -> BallotSettings:
    """Replace a hall's ballot settings and ranges (ballots already made keep theirs)."""
    if not await Facility.exists(id=facility_id):
        raise BallotNotFound("unknown_facility")
    _check(change, ranges)
    async with after_commit.transaction():
        stored = await settings_for(facility_id)
        for name in SETTING_NAMES:
            setattr(stored, name, getattr(change, name))
        await stored.save()
        await BallotRange.filter(facility_id=facility_id).delete()
        ordered = sorted(set(ranges), key=lambda r: (r.weekday, r.starts_minute))
        await BallotRange.bulk_create(
            [BallotRange(facility_id=facility_id, **vars(r)) for r in ordered]
        )
        await audit.record(
            actor_id=actor_id,
            entity="facility",
            entity_id=facility_id,
            action="ballot_settings",
            detail={**vars(change), "ranges": [vars(r) for r in ranges]},
        )
    return stored


async def set_union_branch(*, card_no: str, branch: str, actor_id: int) -> Member:
    """Staff set a member's workplace union branch (基层工会); empty clears it."""
    card = accounts.normalize_card(card_no)
    member = await Member.get_or_none(card_no=card) if accounts.CARD_RE.fullmatch(card) else None
    if member is None:
        raise BallotError("unknown_member")
    name = " ".join(branch.split())
    if len(name) > BRANCH_MAX or not name.isprintable():
        raise BallotError("branch_invalid", max=BRANCH_MAX)
    async with after_commit.transaction():
        old = member.union_branch
        member.union_branch = name or None
        await member.save(update_fields=["union_branch"])
        await audit.record(
            actor_id=actor_id,
            entity="member",
            entity_id=member.id,
            action="union_branch",
            from_state=old,
            to_state=member.union_branch,
        )
    return member


# Weeks and their ballots.


def week_of(day: date) -> date:
    """The Monday of the day's week."""
    return day - timedelta(days=day.weekday())


@dataclass(frozen=True)
class Timeline:
    opens_at: datetime
    closes_at: datetime
    draw_at: datetime
    release_at: datetime


def timeline(settings: BallotSettings, week: date) -> Timeline:
    opens_at = clock.at(week - timedelta(days=settings.opens_days_ahead), 0)
    closes_at = opens_at + timedelta(hours=settings.window_hours)
    draw_at = closes_at + timedelta(minutes=settings.draw_after_minutes)
    return Timeline(
        opens_at, closes_at, draw_at, draw_at + timedelta(hours=settings.release_after_hours)
    )


def place_key(starts_at: datetime, court: str) -> str:
    """A place as published: the local start and the court's code ("…T19:00/c1")."""
    local = starts_at.astimezone(clock.zone())
    return f"{local:%Y-%m-%dT%H:%M}/{court}"


async def places_for_week(facility: Facility, week: date) -> list[dict[str, object]]:
    """The hall's balloted places of the week, in time then court order."""
    found = await ranges_for(facility.id)
    if not found or not rules.is_bookable(facility):
        return []
    facility_rules = await rules.rules_for(facility)
    hours = await setup_cache.opening_hours(facility.id)
    courts = await setup_cache.active_resources(facility)
    places: list[dict[str, object]] = []
    for offset in range(7):
        day = week + timedelta(days=offset)
        for starts_at, ends_at in rules.slot_times(facility_rules, hours, day):
            if not _in_ranges(found, day, starts_at, ends_at):
                continue
            places += [
                {
                    "key": place_key(starts_at, court.code),
                    "resource_id": court.id,
                    "starts_at": starts_at.isoformat(),
                    "ends_at": ends_at.isoformat(),
                    "places": court.capacity,
                }
                for court in courts
            ]
    return places


def _in_ranges(found: list[Range], day: date, starts_at: datetime, ends_at: datetime) -> bool:
    return any(
        r.weekday == day.weekday()
        and clock.at(day, r.starts_minute) <= starts_at
        and ends_at <= clock.at(day, r.ends_minute)
        for r in found
    )


async def ensure_ballots() -> int:
    """Make the ballot of every week whose entries are open now and that has none; a
    week whose window has passed gets none (its slots stay first-come). Returns how many."""
    made = 0
    now = clock.now()
    for settings in await BallotSettings.all().select_related("facility"):
        if not settings.facility.active:
            continue
        week = week_of(clock.today())
        last = week_of(clock.today() + timedelta(days=settings.opens_days_ahead + 7))
        while week <= last:
            times = timeline(settings, week)
            if times.opens_at <= now < times.closes_at:
                made += await _make_ballot(settings, week, times)
            week += timedelta(days=7)
    return made


async def _make_ballot(settings: BallotSettings, week: date, times: Timeline) -> int:
    if await Ballot.exists(facility_id=settings.facility_id, week_start=week):
        return 0
    places = await places_for_week(settings.facility, week)
    if not places:
        return 0
    secret = draw.new_secret()
    try:
        await Ballot.create(
            facility_id=settings.facility_id,
            week_start=week,
            opens_at=times.opens_at,
            closes_at=times.closes_at,
            draw_at=times.draw_at,
            release_at=times.release_at,
            places=places,
            secret=secret,
            commitment=draw.commitment(secret),
            algorithm=draw.ALGORITHM,
        )
    except IntegrityError:  # another sweep made it first
        return 0
    return 1


@dataclass(frozen=True)
class SettingsPage:
    halls: list[Facility]  # every hall that can be booked on its timetable
    facility: Facility | None  # the one shown
    settings: BallotSettings | None
    ranges: list[Range]


async def settings_page(*, facility_id: int | None) -> SettingsPage:
    halls = [h for h in await Facility.filter(active=True) if rules.is_bookable(h)]
    shown = next((h for h in halls if h.id == facility_id), halls[0] if halls else None)
    if shown is None:
        return SettingsPage(halls, None, None, [])
    return SettingsPage(halls, shown, await settings_for(shown.id), await ranges_for(shown.id))
