"""Accounts: registration, log-in, passwords, language, roles and status."""

import re
import secrets
import unicodedata

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from palace.models import Member, MemberStatus, Role
from palace.services import audit, passwords, throttle
from palace.services.errors import AccountError, NotAllowed
from palace.settings import LANGUAGES

CARD_RE = re.compile(r"[A-Z0-9]{4,20}")
PHONE_RE = re.compile(r"1[3-9]\d{9}")
NAME_MAX = 40


def normalize_card(raw: str) -> str:
    return re.sub(r"[\s-]", "", unicodedata.normalize("NFKC", raw)).upper()


def normalize_phone(raw: str) -> str:
    digits = re.sub(r"[\s()-]", "", unicodedata.normalize("NFKC", raw))
    for prefix in ("+86", "0086"):
        digits = digits.removeprefix(prefix)
    return digits


def normalize_name(raw: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", raw).split())


def _field_errors(card_no: str, name: str, phone: str, password: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not CARD_RE.fullmatch(card_no):
        errors["card_no"] = "card_invalid"
    if not name:
        errors["name"] = "name_missing"
    elif len(name) > NAME_MAX or any(unicodedata.category(c).startswith("C") for c in name):
        errors["name"] = "name_invalid"
    if not PHONE_RE.fullmatch(phone):
        errors["phone"] = "phone_invalid"
    if weak := passwords.weakness(password, card_no=card_no, phone=phone):
        errors["password"] = weak
    return errors


async def _taken_fields(card_no: str, phone: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if await Member.filter(card_no=card_no).exists():
        errors["card_no"] = "card_taken"
    if await Member.filter(phone=phone).exists():
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
        raise AccountError("invalid", fields=errors)
    password_hash = await passwords.hash_password(password)
    try:
        async with in_transaction():
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
        raise AccountError("invalid", fields=await _taken_fields(card_no, phone)) from None
    return member


async def _find_by_login(login: str) -> Member | None:
    card, phone = normalize_card(login), normalize_phone(login)
    if PHONE_RE.fullmatch(phone) and (member := await Member.get_or_none(phone=phone)):
        return member
    return await Member.get_or_none(card_no=card) if card else None


async def authenticate(
    *, login: str, password: str, address: str, language: str | None = None
) -> Member:
    """The member behind these credentials; throttled per account and per address.

    ``language``, when the visitor chose one before logging in, becomes the
    member's preference.
    """
    account_key = normalize_card(login)[:40] or "-"
    await throttle.check_login(account=account_key, address=address)
    member = await _find_by_login(login)
    valid = await passwords.verify_password(
        member.password_hash if member else passwords.DUMMY_HASH, password[:1024]
    )
    if member is None or not valid:
        await throttle.record_login_failure(account=account_key, address=address)
        raise AccountError("bad_credentials")
    if member.status == MemberStatus.DISABLED:
        raise AccountError("account_disabled")
    await throttle.clear_login_failures(account=account_key)
    if passwords.needs_rehash(member.password_hash):
        member.password_hash = await passwords.hash_password(password)
        await member.save(update_fields=["password_hash"])
    if language in LANGUAGES and language != member.language:
        member.language = language
        await member.save(update_fields=["language"])
    return member


async def session_member(*, member_id: int, epoch: int) -> Member | None:
    """The member a session belongs to, if that session is still valid."""
    member = await Member.get_or_none(id=member_id)
    if member is None or member.session_epoch != epoch:
        return None
    if member.status == MemberStatus.DISABLED:
        return None
    return member


async def change_password(*, member_id: int, current_password: str, new_password: str) -> Member:
    member = await Member.get(id=member_id)
    if not await passwords.verify_password(member.password_hash, current_password[:1024]):
        raise AccountError("invalid", fields={"current_password": "wrong_password"})
    if weak := passwords.weakness(new_password, card_no=member.card_no, phone=member.phone):
        raise AccountError("invalid", fields={"new_password": weak})
    new_hash = await passwords.hash_password(new_password)
    async with in_transaction():
        member = await Member.select_for_update().get(id=member_id)
        member.password_hash = new_hash
        member.session_epoch += 1
        await member.save(update_fields=["password_hash", "session_epoch"])
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
    async with in_transaction():
        member = await Member.select_for_update().get_or_none(id=member_id)
        if member is None:
            raise AccountError("unknown_member")
        if refusal := reset_refusal(actor, member):
            raise NotAllowed(refusal)
        member.password_hash = new_hash
        member.session_epoch += 1
        await member.save(update_fields=["password_hash", "session_epoch"])
        await audit.record(
            actor_id=actor_id, entity="member", entity_id=member_id, action="password_reset"
        )
    return member, temporary


async def set_language(*, member_id: int, language: str) -> None:
    if language not in LANGUAGES:
        raise AccountError("unknown_language")
    await Member.filter(id=member_id).update(language=language)


async def set_role(*, actor_id: int, member_id: int, role: str) -> Member:
    try:
        new_role = Role(role)
    except ValueError:
        raise AccountError("unknown_role") from None
    if actor_id == member_id and new_role != Role.ADMIN:
        raise NotAllowed("cannot_demote_self")
    return await _change(actor_id, member_id, "role", new_role, "role_changed")


async def set_status(*, actor_id: int, member_id: int, status: str) -> Member:
    try:
        new_status = MemberStatus(status)
    except ValueError:
        raise AccountError("unknown_status") from None
    if actor_id == member_id and new_status != MemberStatus.ACTIVE:
        raise NotAllowed("cannot_lock_self")
    return await _change(actor_id, member_id, "status", new_status, "status_changed")


async def _change(
    actor_id: int, member_id: int, field: str, value: Role | MemberStatus, action: str
) -> Member:
    async with in_transaction():
        member = await Member.select_for_update().get_or_none(id=member_id)
        if member is None:
            raise AccountError("unknown_member")
        old = getattr(member, field)
        if old == value:
            return member
        setattr(member, field, value)
        await member.save(update_fields=[field])
        await audit.record(
            actor_id=actor_id,
            entity="member",
            entity_id=member_id,
            action=action,
            from_state=str(old.value),
            to_state=str(value.value),
        )
    return member


async def get_member(*, member_id: int) -> Member:
    member = await Member.get_or_none(id=member_id)
    if member is None:
        raise AccountError("unknown_member")
    return member


async def search(*, query: str, limit: int = 50) -> list[Member]:
    """Members whose card, phone or name matches; everyone (newest first) for ''."""
    query = normalize_name(query)[:40]
    members = Member.all().order_by("-id").limit(limit)
    if not query:
        return await members
    card, phone = normalize_card(query), normalize_phone(query)
    exact = await Member.filter(card_no=card).first() or await Member.filter(phone=phone).first()
    found = await members.filter(name__icontains=query)
    return [exact, *(m for m in found if m.id != exact.id)] if exact else found
