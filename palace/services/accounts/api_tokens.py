"""Bearer tokens for the JSON API: issued at log-in or by staff for a desk device,
listed and revoked by their member, resolved on every API request.

Only the sha256 of a token is kept (like log-in sessions): a copy of the database
holds nothing that works. A token names its member and a scope; it works on the API
only, never on the pages (those read the session cookie alone).
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from palace.models import ApiToken, Member, MemberStatus, Role, TokenScope
from palace.services.accounts import accounts
from palace.services.core import after_commit, audit, clock
from palace.services.core.errors import AccountError, NotAllowed, NotFound

MEMBER_DAYS = 90  # an app stays logged in this long, then asks for the password again
DEVICE_DAYS = 365  # a paired scanner is paired again once a year
LABEL_MAX = 60
# Last use is written at most this often: every request would otherwise write a row.
TOUCH_EVERY = timedelta(minutes=5)
DESK_ROLES = frozenset({Role.DESK, Role.ADMIN})
DEVICE_ROLES = frozenset({Role.STAFF, Role.ADMIN})


@dataclass(frozen=True)
class Issued:
    """A token just made: ``secret`` is shown once and never again."""

    secret: str
    token: ApiToken


def key_of(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _label(raw: str) -> str:
    return " ".join(raw.split())[:LABEL_MAX]


async def log_in(
    *, login: str, password: str, address: str, scope: TokenScope, label: str = ""
) -> Issued:
    """Check the credentials (throttled like the log-in page) and issue a token.

    A desk clerk's token (scope "desk") is for desk roles only; scanners are paired by
    staff (``issue_device``), never by a password.
    """
    member = await accounts.authenticate(login=login, password=password, address=address)
    if scope == TokenScope.CHECKIN or (scope == TokenScope.DESK and member.role not in DESK_ROLES):
        raise NotAllowed("not_allowed")
    if member.must_change_password:
        raise AccountError("password_change_required")
    return await _issue(member.id, scope, label, MEMBER_DAYS, actor_id=member.id)


async def issue_device(*, actor_id: int, label: str) -> Issued:
    """A check-in-only token for a desk scanner, paired by staff (the QR shows it once)."""
    actor = await Member.get_or_none(id=actor_id)
    if actor is None or actor.role not in DEVICE_ROLES:
        raise NotAllowed("not_allowed")
    return await _issue(actor_id, TokenScope.CHECKIN, label, DEVICE_DAYS, actor_id=actor_id)


async def _issue(
    member_id: int, scope: TokenScope, label: str, days: int, *, actor_id: int
) -> Issued:
    secret = secrets.token_urlsafe(32)
    async with after_commit.transaction():
        token = await ApiToken.create(
            key=key_of(secret),
            member_id=member_id,
            scope=scope,
            label=_label(label),
            expires_at=clock.now() + timedelta(days=days),
            last_used_at=clock.now(),  # issuing is a use: the first request writes nothing
        )
        await audit.record(actor_id=actor_id, entity="api_token", entity_id=token.id,
                           action="issued", to_state=scope.value)  # fmt: skip
    return Issued(secret, token)


async def resolve(*, secret: str) -> ApiToken | None:
    """The live token behind a bearer secret, with its member; None for anything else
    (unknown, revoked, expired, or its member disabled)."""
    if not secret or len(secret) > 100:
        return None
    now = clock.now()
    token = await ApiToken.get_or_none(
        key=key_of(secret), revoked_at=None, expires_at__gt=now
    ).select_related("member")
    if token is None or token.member.status == MemberStatus.DISABLED:
        return None
    if token.last_used_at is None or clock.utc(token.last_used_at) < now - TOUCH_EVERY:
        await ApiToken.filter(id=token.id).update(last_used_at=now)
    return token


def _live() -> dict[str, object]:
    return {"revoked_at": None, "expires_at__gt": clock.now()}


async def tokens_of(*, member_id: int) -> list[ApiToken]:
    """The member's tokens that still work, newest first (My account lists them)."""
    return await ApiToken.filter(member_id=member_id, **_live()).order_by("-id")


async def devices() -> list[ApiToken]:
    """Every paired scanner that still works, with who paired it."""
    found = ApiToken.filter(scope=TokenScope.CHECKIN, **_live())
    return await found.order_by("-id").select_related("member")


async def revoke(*, member_id: int, token_id: int, device: bool = False) -> None:
    """The member revokes one of their tokens (``device``: staff unpair any scanner).

    Someone else's token looks exactly like a missing one.
    """
    mine = {"scope": TokenScope.CHECKIN} if device else {"member_id": member_id}
    async with after_commit.transaction():
        changed = await ApiToken.filter(id=token_id, **mine, **_live()).update(
            revoked_at=clock.now()
        )
        if not changed:
            raise NotFound("unknown_token")
        await audit.record(actor_id=member_id, entity="api_token", entity_id=token_id,
                           action="revoked", to_state="revoked")  # fmt: skip
