"""Ballot entries: enter, change and withdraw while the window is open; the window's close.

A member has one entry per ballot (a hall's balloted slots of one week): up to three
ranked choices (a court at a time, or any court of the hall at that time), partners
named by card (invited through the partner service once the entry wins), and "any
other time" for the second round. The desk may enter for a member. At the close each
entry gets its pseudonym and weight, and the entry list and its hash are published.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q

from palace.models import (
    Ballot,
    BallotEntry,
    BallotState,
    BallotWeight,
    EntryOutcome,
    Facility,
    Member,
)
from palace.services.accounts import accounts
from palace.services.booking import partners
from palace.services.booking.bookings import BookingError
from palace.services.core import after_commit, audit, clock
from palace.services.facilities import rules
from palace.services.fairness import beacon, draw
from palace.services.fairness.ballot_rounds import ANY_COURT, ANY_OTHER_TIME
from palace.services.fairness.ballot_setup import BallotError, BallotNotFound, settings_for
from palace.settings import get_settings

MAX_CHOICES = 3


def any_court_key(key: str) -> str:
    """The "any court at that time" choice for a place key."""
    return key.rsplit("/", 1)[0] + "/" + ANY_COURT


def choice_keys(ballot: Ballot) -> set[str]:
    """Every choice an entry may name: each place, and any court at each time."""
    keys = {str(p["key"]) for p in ballot.places}
    return keys | {any_court_key(k) for k in keys}


def _check_choices(ballot: Ballot, choices: list[str]) -> list[str]:
    wanted = list(dict.fromkeys(c.strip() for c in choices if c.strip()))
    if not wanted:
        raise BallotError("ballot_no_choice")
    if len(wanted) > MAX_CHOICES:
        raise BallotError("ballot_too_many_choices", max=MAX_CHOICES)
    allowed = choice_keys(ballot)
    if any(c not in allowed for c in wanted):
        raise BallotError("ballot_choice_invalid")
    return wanted


async def _open_ballot(ballot_id: int) -> Ballot:
    ballot = await Ballot.get_or_none(id=ballot_id)
    if ballot is None:
        raise BallotNotFound("unknown_ballot")
    now = clock.now()
    if ballot.state != BallotState.OPEN or not ballot.opens_at <= now < ballot.closes_at:
        raise BallotError("ballot_not_open")
    return ballot


async def _partner_cards(ballot: Ballot, member_id: int, cards: list[str]) -> list[str]:
    """Partners as the partner service will invite them once the entry wins."""
    if not any(c.strip() for c in cards):
        return []
    facility_rules = await rules.rules_for(await Facility.get(id=ballot.facility_id))
    if not facility_rules.partners_allowed:
        raise BookingError("partners_not_allowed")
    booker = await accounts.get_member(member_id=member_id)
    return partners.named_cards(booker, cards)


@dataclass(frozen=True)
class EntryForm:
    choices: list[str]
    partner_cards: list[str]
    any_other_time: bool = False


async def enter(*, ballot_id: int, member_id: int, form: EntryForm, actor_id: int) -> BallotEntry:
    """Enter a member (``actor_id``: the member, or a desk clerk for them); a second entry
    in the same ballot is refused with "ballot_already_entered"."""
    ballot = await _open_ballot(ballot_id)
    choices = _check_choices(ballot, form.choices)
    cards = await _partner_cards(ballot, member_id, form.partner_cards)
    try:
        async with after_commit.transaction():
            entry = await BallotEntry.create(
                ballot_id=ballot.id,
                member_id=member_id,
                live_member=member_id,
                choices=choices,
                partner_cards=cards,
                any_other_time=form.any_other_time,
                entered_by_id=actor_id,
            )
            await _audit(entry, actor_id, "ballot_enter")
    except IntegrityError:
        raise BallotError("ballot_already_entered") from None
    return entry


async def save_entry(
    *, ballot_id: int, member_id: int, form: EntryForm, actor_id: int
) -> BallotEntry:
    """Enter, or change the member's standing entry (one form for both)."""
    entry = await entry_of(ballot_id=ballot_id, member_id=member_id)
    if entry is None:
        return await enter(ballot_id=ballot_id, member_id=member_id, form=form, actor_id=actor_id)
    return await change(entry_id=entry.id, member_id=member_id, form=form, actor_id=actor_id)


async def withdraw_from(*, ballot_id: int, member_id: int, actor_id: int) -> None:
    entry = await entry_of(ballot_id=ballot_id, member_id=member_id)
    if entry is None:
        raise BallotNotFound("unknown_ballot_entry")
    await withdraw(entry_id=entry.id, member_id=member_id, actor_id=actor_id)


async def change(*, entry_id: int, member_id: int, form: EntryForm, actor_id: int) -> BallotEntry:
    entry = await own_entry(entry_id=entry_id, member_id=member_id)
    ballot = await _open_ballot(entry.ballot_id)
    choices = _check_choices(ballot, form.choices)
    cards = await _partner_cards(ballot, member_id, form.partner_cards)
    async with after_commit.transaction():
        changed = await BallotEntry.filter(id=entry.id, withdrawn_at__isnull=True).update(
            choices=choices, partner_cards=cards, any_other_time=form.any_other_time
        )
        if not changed:
            raise BallotNotFound("unknown_ballot_entry")
        await _audit(entry, actor_id, "ballot_change")
    return await BallotEntry.get(id=entry.id)


async def withdraw(*, entry_id: int, member_id: int, actor_id: int) -> None:
    entry = await own_entry(entry_id=entry_id, member_id=member_id)
    await _open_ballot(entry.ballot_id)
    async with after_commit.transaction():
        changed = await BallotEntry.filter(id=entry.id, withdrawn_at__isnull=True).update(
            withdrawn_at=clock.now(), live_member=None
        )
        if not changed:
            raise BallotNotFound("unknown_ballot_entry")
        await _audit(entry, actor_id, "ballot_withdraw")


async def own_entry(*, entry_id: int, member_id: int) -> BallotEntry:
    """The member's own standing entry; someone else's looks exactly like a missing one."""
    entry = await BallotEntry.get_or_none(id=entry_id, member_id=member_id, withdrawn_at=None)
    if entry is None:
        raise BallotNotFound("unknown_ballot_entry")
    return entry


async def _audit(entry: BallotEntry, actor_id: int, action: str) -> None:
    await audit.record(
        actor_id=actor_id,
        entity="ballot",
        entity_id=entry.ballot_id,
        action=action,
        detail={"entry_id": entry.id, "member_id": entry.member_id},
    )


# The close: pseudonyms, weights, the entry list and its hash.


def pseudonym_key() -> bytes:
    return hashlib.sha256(b"ballot-pseudonym:" + get_settings().secret_key.encode()).digest()


def pseudonym(ballot_id: int, member_id: int) -> str:
    return draw.pseudonym(pseudonym_key(), f"ballot-{ballot_id}", member_id)


def entrant(entry: BallotEntry) -> draw.Entrant:
    """The entry as published (pseudonym, weight, choices; "any other time" last, so it is
    in the entry list's hash like the choices)."""
    extra = (ANY_OTHER_TIME,) if entry.any_other_time else ()
    assert entry.pseudonym is not None and entry.weight is not None
    return draw.Entrant(entry.pseudonym, entry.weight, (*entry.choices, *extra))


async def weight_of(*, member_id: int, facility_id: int, max_weight: int) -> int:
    """1 + the member's consecutive losses in the hall's ballots, capped."""
    found = await BallotWeight.get_or_none(member_id=member_id, facility_id=facility_id)
    return min(1 + (found.losses if found else 0), max_weight)


async def close(*, ballot_id: int) -> bool:
    """Close an open ballot whose window has passed; False when there is nothing to do."""
    ballot = await Ballot.get_or_none(id=ballot_id)
    if ballot is None or ballot.state != BallotState.OPEN or clock.now() < ballot.closes_at:
        return False
    named_beacon = await beacon.round_at(ballot.draw_at)
    async with after_commit.transaction():
        # Written first: the state moves once, however many workers try (and SQLite's
        # write lock is taken up front).
        moved = await Ballot.filter(id=ballot_id, state=BallotState.OPEN).update(
            state=BallotState.CLOSED, beacon=named_beacon
        )
        if not moved:
            return False
        ballot = await Ballot.get(id=ballot_id)
        settings = await settings_for(ballot.facility_id)
        entries = await BallotEntry.filter(ballot_id=ballot.id, withdrawn_at=None)
        losses = await _losses(ballot.facility_id, [e.member_id for e in entries])
        for entry in entries:
            entry.pseudonym = pseudonym(ballot.id, entry.member_id)
            entry.weight = min(1 + losses.get(entry.member_id, 0), settings.max_weight)
        if entries:
            await BallotEntry.bulk_update(entries, fields=["pseudonym", "weight"], batch_size=500)
        entrants = [entrant(e) for e in entries]
        ballot.entry_list = json.loads(draw.canonical(entrants))
        ballot.entry_hash = draw.entry_hash(entrants)
        await ballot.save(update_fields=["entry_list", "entry_hash"])
        await audit.record(
            actor_id=None, entity="ballot", entity_id=ballot.id, action="ballot_close",
            from_state=BallotState.OPEN, to_state=BallotState.CLOSED,
            detail={"entries": len(entries), "entry_hash": ballot.entry_hash},
        )  # fmt: skip
    return True


async def _losses(facility_id: int, member_ids: list[int]) -> dict[int, int]:
    found = await BallotWeight.filter(facility_id=facility_id, member_id__in=member_ids)
    return {w.member_id: w.losses for w in found}


async def open_ballots(*, facility_id: int | None = None) -> list[Ballot]:
    """Ballots taking entries now (one hall's, or every hall's)."""
    now = clock.now()
    query = Ballot.filter(state=BallotState.OPEN, opens_at__lte=now, closes_at__gt=now)
    if facility_id is not None:
        query = query.filter(facility_id=facility_id)
    return await query.select_related("facility")


async def entry_of(*, ballot_id: int, member_id: int) -> BallotEntry | None:
    return await BallotEntry.get_or_none(
        ballot_id=ballot_id, member_id=member_id, withdrawn_at=None
    )


async def entries_of(*, member_id: int, limit: int = 20) -> list[BallotEntry]:
    """The member's standing entries, newest ballot first, with ballot and hall."""
    return (
        await BallotEntry.filter(Q(withdrawn_at=None), member_id=member_id)
        .select_related("ballot__facility")
        .order_by("-ballot__week_start", "-id")
        .limit(limit)
    )


async def member_for_card(card_no: str) -> Member:
    """The member the desk enters for, by card."""
    card = accounts.normalize_card(card_no)
    member = await Member.get_or_none(card_no=card) if accounts.CARD_RE.fullmatch(card) else None
    if member is None:
        raise BallotError("unknown_member")
    return member


# A member's data rights (services/accounts/data_rights): their entries in an export,
# and closing the account.

ENTRY_FIELDS = ("id", "ballot_id", "choices", "any_other_time", "created_at", "withdrawn_at",
                "pseudonym", "weight", "outcome", "won_key", "booking_id")  # fmt: skip


async def member_data(*, member_id: int) -> list[dict[str, object]]:
    """The member's entries as JSON-ready values; the partners' cards they named are
    other members' and stay out."""
    found = await BallotEntry.filter(member_id=member_id).order_by("id")
    return [{name: _plain(getattr(e, name)) for name in ENTRY_FIELDS} for e in found]


def _plain(value: object) -> object:
    if isinstance(value, datetime):
        return value.isoformat()
    return value.value if isinstance(value, EntryOutcome) else value


async def leave_all(*, member_id: int) -> int:
    """Withdraw the member's entries from ballots still taking them (an account closed);
    an entry already in a published list stays there, and the draw refuses a closed
    account like any disabled one."""
    withdrawn = await BallotEntry.filter(
        member_id=member_id, withdrawn_at=None, ballot__state=BallotState.OPEN
    ).update(withdrawn_at=clock.now(), live_member=None)
    return int(withdrawn)


async def forget_card(*, card_no: str, placeholder: str) -> None:
    """A closed account's card, named as a partner in others' entries not yet drawn."""
    for entry in await BallotEntry.filter(
        ballot__state__in=(BallotState.OPEN, BallotState.CLOSED), withdrawn_at=None
    ):
        if card_no in entry.partner_cards:
            cards = [placeholder if c == card_no else c for c in entry.partner_cards]
            await BallotEntry.filter(id=entry.id).update(partner_cards=cards)
