"""Accounts: registration, log-in, passwords, language, finding members.

An administrator's changes to roles and status are services/accounts/admin's."""

import re
import secrets

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q

from palace.models import Member, MemberStatus, Role, members
from palace.services.accounts import passwords, sessions, throttle
from palace.services.core import after_commit, audit, text
from palace.services.core.errors import (
    AccountError,
    AccountNotAllowed,
    AccountNotFound,
    NotAllowed,
)
from palace.settings import LANGUAGES

CARD_RE = re.compile(r"[A-Z0-9]{4,20}")
PHONE_RE = re.compile(r"1[3-9][0-9]{9}")  # ASCII digits only: no look-alike numbers
NAME_MAX = members.NAME_MAX


def normalize_card(raw: str) -> str:
    return text.identifier(raw).upper()


def normalize_phone(raw: str) -> str:
    digits = text.identifier(raw, drop=r"[\s()-]")
    for prefix in ("+86", "0086"):
        digits = digits.removeprefix(prefix)
    return digits


def normalize_name(raw: str) -> str:
    """A name is prose: kept as typed (李明（小）keeps its brackets), spaces tidied."""
    return text.line(raw)


def _field_errors(card_no: str, name: str, phone: str, password: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not CARD_RE.fullmatch(card_no):
        errors["card_no"] = "card_invalid"
    if not name:
        errors["name"] = "name_missing"
    elif len(name) > NAME_MAX:
        errors["name"] = "name_invalid"
    if not PHONE_RE.fullmatch(phone):
        errors["phone"] = "phone_invalid"
    if weak := passwords.weakness(password, card_no=card_no, phone=phone):
        errors["password"] = weak
    return errors


async def _taken_fields(card_no: str, phone: str) -> dict[str, str]:
    # Cards and phones share one namespace: both are typed into the same log-in box.
    errors: dict[str, str] = {}
    if await Member.filter(Q(card_no=card_no) | Q(phone=card_no)).exists():
        errors["card_no"] = "card_taken"
    if await Member.filter(Q(phone=phone) | Q(card_no=phone)).exists():
        errors["phone"] = "phone_taken"
    return errors


async def register(
    *,
    card_no: str,
    name: str,
    phone: str,
    password: str,
    language: str = "zh-CN",
    role: Role = Role.MEMBER,
    actor_id: int | None = None,
) -> Member:
    """Create an account; AccountError("invalid", fields=…) names every bad field."""
    card_no, name, phone = normalize_card(card_no), normalize_name(name), normalize_phone(phone)
    errors = _field_errors(card_no, name, phone, password)
    if not errors.keys() & {"card_no", "phone"}:
        errors |= await _taken_fields(card_no, phone)
    if errors:
        raise AccountError("invalid", fields=errors, name_max=NAME_MAX)
    password_hash = await passwords.hash_password(password)
    try:
        async with after_commit.transaction():
            member = await Member.create(
                card_no=card_no,
                name=name,
                phone=phone,
                password_hash=password_hash,
                role=role,
                language=language if language in LANGUAGES else "zh-CN",
            )
            await audit.record(
                actor_id=actor_id,
                entity="member",
                entity_id=member.id,
                action="registered",
                to_state=MemberStatus.ACTIVE,
                detail={"role": role.value},
            )
    except IntegrityError:
        # Someone registered the same card or phone between our check and insert:
        # the unique constraints decided, now say which one.
        taken = await _taken_fields(card_no, phone) or {"card_no": "card_taken"}
        raise AccountError("invalid", fields=taken) from None
    return member


async def sign_up(
    *, card_no: str, name: str, phone: str, password: str, language: str = "zh-CN"
) -> tuple[Member, str]:
    """Register a member and log them in; returns the member and their session token."""
    member = await register(
        card_no=card_no, name=name, phone=phone, password=password, language=language
    )
    return member, await sessions.start(member_id=member.id)


async def _by_card_or_phone(typed: str) -> Member | None:
    """The member whose card or phone this is; only a value of the right shape is looked up
    (anything longer than the column would not be a lookup but an error)."""
    card, phone = normalize_card(typed), normalize_phone(typed)
    if PHONE_RE.fullmatch(phone) and (member := await Member.get_or_none(phone=phone)):
        return member
    return await Member.get_or_none(card_no=card) if CARD_RE.fullmatch(card) else None


async def find(*, login: str) -> Member | None:
    """The member whose card number or phone this is, however it is typed."""
    return await _by_card_or_phone(login[:100])


async def authenticate(
    *, login: str, password: str, address: str, language: str | None = None
) -> Member:
    """The member behind these credentials; throttled per account and per address.

    ``language``, when the visitor chose one before logging in, becomes the
    member's preference.
    """
    member = await _by_card_or_phone(login[:100])
    # However the login is spelled (card, phone, +86…), one account has one counter.
    account = f"member:{member.id}" if member else f"unknown:{normalize_card(login)[:40]}"
    await throttle.reserve_login_attempt(account=account, address=address)
    valid = await passwords.verify_password(
        member.password_hash if member else passwords.DUMMY_HASH, password[:1024]
    )
    if member is None or not valid:
        raise AccountError("bad_credentials")
    if member.status == MemberStatus.DISABLED:
        raise AccountNotAllowed("account_disabled")
    await throttle.forget_login_attempts(account=account, address=address)
    if passwords.needs_rehash(member.password_hash):
        member.password_hash = await passwords.hash_password(password)
        await member.save(update_fields=["password_hash"])
    if language in LANGUAGES and language != member.language:
        member.language = language
        await member.save(update_fields=["language"])
    return member


async def log_in(
    *, login: str, password: str, address: str, language: str | None = None
) -> tuple[Member, str]:
    """Check the credentials and start a session; returns the member and its token."""
    member = await authenticate(login=login, password=password, address=address, language=language)
    return member, await start_session(verified=member)


async def start_session(*, verified: Member) -> str:
    """A session for a member whose password was just checked against ``verified``.

    The check ran outside any transaction (argon2 is slow): if the password changed
    meanwhile, this log-in must not outlive the sessions that change ended.
    """
    async with after_commit.transaction():
        current = await Member.select_for_update().get(id=verified.id)
        if current.password_hash != verified.password_hash:
            raise AccountError("bad_credentials")
        return await sessions.start(member_id=verified.id)


async def change_password(
    *,
    member_id: int,
    current_password: str,
    new_password: str,
    confirm_password: str | None = None,
    keep_session: str | None = None,
) -> Member:
    """Set a new password; every session ends except ``keep_session`` (the one asking).

    ``confirm_password``, when given, must repeat the new one (a typing check).
    """
    if confirm_password is not None and confirm_password != new_password:
        raise AccountError("invalid", fields={"confirm_password": "password_mismatch"})
    member = await get_member(member_id=member_id)
    if not await passwords.verify_password(member.password_hash, current_password[:1024]):
        raise AccountError("invalid", fields={"current_password": "wrong_password"})
    if weak := passwords.weakness(new_password, card_no=member.card_no, phone=member.phone):
        raise AccountError("invalid", fields={"new_password": weak})
    new_hash = await passwords.hash_password(new_password)
    async with after_commit.transaction():
        member = await Member.select_for_update().get(id=member_id)
        member.password_hash = new_hash
        member.must_change_password = False
        await member.save(update_fields=["password_hash", "must_change_password"])
        await sessions.end_all(member_id=member_id, except_token=keep_session)
        await audit.record(
            actor_id=member_id, entity="member", entity_id=member_id, action="password_changed"
        )
    return member


# No 0/O, 1/l/i: the desk reads this aloud or writes it on a slip of paper.
TEMPORARY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def _temporary_password() -> str:
    chars = [secrets.choice(TEMPORARY_ALPHABET) for _ in range(10)]
    return "".join(chars[:5]) + "-" + "".join(chars[5:])


def reset_refusal(actor: Member, member: Member) -> str | None:
    """Why ``actor`` may not reset ``member``'s password, or None when they may.

    The front desk resets members' passwords; an administrator anybody's but their own.
    """
    if actor.role not in (Role.DESK, Role.ADMIN):
        return "not_allowed"
    if actor.id == member.id:
        return "cannot_reset_self"
    if actor.role == Role.DESK and member.role != Role.MEMBER:
        return "desk_resets_members_only"
    return None


async def reset_password(*, actor_id: int, member_id: int) -> tuple[Member, str]:
    """A new temporary password, for the desk to hand over after checking the card.

    Every session of the member ends.
    """
    actor = await get_member(member_id=actor_id)
    temporary = _temporary_password()
    new_hash = await passwords.hash_password(temporary)
    async with after_commit.transaction():
        member = await Member.select_for_update().get_or_none(id=member_id)
        if member is None:
            raise AccountNotFound("unknown_member")
        if refusal := reset_refusal(actor, member):
            raise NotAllowed(refusal)
        member.password_hash = new_hash
        # The desk has seen this password: only the member should know the next one.
        member.must_change_password = True
        await member.save(update_fields=["password_hash", "must_change_password"])
        await sessions.end_all(member_id=member_id)
        await audit.record(
            actor_id=actor_id, entity="member", entity_id=member_id, action="password_reset"
        )
    return member, temporary


async def set_language(*, member_id: int, language: str) -> None:
    if language not in LANGUAGES:
        raise AccountError("unknown_language")
    await Member.filter(id=member_id).update(language=language)


async def get_member(*, member_id: int) -> Member:
    member = await Member.get_or_none(id=member_id)
    if member is None:
        raise AccountNotFound("unknown_member")
    return member


async def search(*, query: str, limit: int = 50) -> list[Member]:
    """Members whose card, phone or name matches; everyone (newest first) for ''."""
    query = text.line(query)[:NAME_MAX]
    members = Member.all().order_by("-id").limit(limit)
    if not query:
        return await members
    exact = await _by_card_or_phone(query)
    found = await members.filter(name__icontains=query)
    return [exact, *(m for m in found if m.id != exact.id)] if exact else found
