"""Log-ins (login sessions, one per logged-in device): started at log-in, ended at
log-out or when the password changes.

The signed cookie only names a log-in; whether it is still valid is decided here, in
the database, so a copied cookie stops working the moment its log-in ends.
"""

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from palace.models import ApiToken, LoginSession, Member, MemberStatus, TokenScope
from palace.services.booking import booking_sql
from palace.services.facilities import setup_cache

MAX_AGE = timedelta(days=14)


def _key(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def start(*, member_id: int) -> str:
    """A new session for the member; returns the token the cookie will carry."""
    token = secrets.token_urlsafe(32)
    await LoginSession.create(id=_key(token), member_id=member_id)
    return token


async def resolve(*, token: str) -> Member | None:
    """The member behind a live session, or None (ended, expired, unknown, disabled)."""
    member, _unread = await resolve_with_unread(token=token, count_unread=False)
    return member


async def resolve_with_unread(*, token: str, count_unread: bool) -> tuple[Member | None, int]:
    """``resolve``, and the member's unread messages (0 unless ``count_unread``) from the
    same round trip: every page's header shows them."""
    if not token or len(token) > 100:
        return None, 0
    statement = _RESOLVE_UNREAD if count_unread else _RESOLVE
    found = await booking_sql.first(statement, key=_key(token), oldest=datetime.now(UTC) - MAX_AGE)
    if found is None:
        return None, 0
    setup_cache.note_version(found.pop("setup_version"))
    unread = int(found.pop("unread"))
    if found["status"] == MemberStatus.DISABLED:
        return None, 0
    return Member._init_from_db(**found), unread


# Every request asks this first, so the same round trip brings the set-up counter the
# request's cached halls and rules are checked against (setup_cache.request_scope) and,
# for whole pages, the header's unread count. Written by hand: building the joined ORM
# query cost more than running it.
_RESOLVE_SQL = """
SELECT m.*, (SELECT version FROM setup_version WHERE id = 1) AS setup_version, {unread} AS unread
FROM login_sessions s JOIN members m ON m.id = s.member_id
WHERE s.id = :key AND s.ended_at IS NULL AND s.created_at >= :oldest
"""
_RESOLVE = _RESOLVE_SQL.format(unread="0")
_RESOLVE_UNREAD = _RESOLVE_SQL.format(
    unread="(SELECT count(*) FROM notifications n WHERE n.member_id = m.id AND n.read_at IS NULL)"
)


async def end(*, token: str) -> None:
    await LoginSession.filter(id=_key(token), ended_at=None).update(ended_at=datetime.now(UTC))


async def end_all(*, member_id: int, except_token: str | None = None) -> int:
    """End every session of the member (but one, if named) and revoke their own API
    tokens (a password changed or reset, an account disabled or closed: every way in
    ends together; a scanner paired by staff stays paired); returns how many ended."""
    live = LoginSession.filter(member_id=member_id, ended_at=None)
    if except_token:
        live = live.exclude(id=_key(except_token))
    now = datetime.now(UTC)
    await (
        ApiToken.filter(member_id=member_id, revoked_at=None)
        .exclude(scope=TokenScope.CHECKIN)
        .update(revoked_at=now)
    )
    return await live.update(ended_at=now)


async def purge(*, keep_ended_for: timedelta = timedelta(days=30)) -> int:
    """Forget sessions that ended (or expired) long enough ago; returns how many."""
    now = datetime.now(UTC)
    ended = await LoginSession.filter(ended_at__lt=now - keep_ended_for).delete()
    expired = await LoginSession.filter(created_at__lt=now - MAX_AGE - keep_ended_for).delete()
    return int(ended) + int(expired)
