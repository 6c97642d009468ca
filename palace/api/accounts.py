"""Log-in for a token, the member's tokens (list, revoke), and their children (as
palace/web/accounts.py: the account and what hangs on it)."""

from typing import Annotated, Literal

import msgspec

from palace.api.operations import MEMBER, Call, operation
from palace.api.shapes import Instant
from palace.models import ApiToken, Child, TokenScope
from palace.services.accounts import api_tokens, children
from palace.services.core import clock

TAG = "accounts"
Text = Annotated[str, msgspec.Meta(max_length=200)]


class LogIn(msgspec.Struct, frozen=True):
    login: Text  # card number or phone
    password: Annotated[str, msgspec.Meta(max_length=1024)]
    scope: Literal["member", "desk"] = "member"  # "desk": a desk clerk's device
    label: Annotated[str, msgspec.Meta(max_length=60)] = ""  # e.g. "WeChat", "Desk 2"


class Token(msgspec.Struct, frozen=True):
    id: int
    scope: str
    label: str
    created_at: Instant
    last_used_at: Instant | None
    expires_at: Instant


class Issued(msgspec.Struct, frozen=True):
    """The bearer token: shown this once, kept only as its hash."""

    token: str
    details: Token


class ChildIn(msgspec.Struct, frozen=True):
    child_name: Text  # as the service names the field in its errors
    birth_year: Annotated[str, msgspec.Meta(max_length=20)]


class ChildOut(msgspec.Struct, frozen=True):
    id: int
    name: str
    birth_year: int


def token_of(row: ApiToken) -> Token:
    used = clock.utc(row.last_used_at) if row.last_used_at else None
    return Token(row.id, row.scope.value, row.label, clock.utc(row.created_at), used,
                 clock.utc(row.expires_at))  # fmt: skip


def child_of(child: Child) -> ChildOut:
    return ChildOut(child.id, child.name, child.birth_year)


@operation("POST", "/auth/token", scopes=None, tag=TAG, body=LogIn, response=Issued, status=201)
async def log_in(call: Call[LogIn, None]) -> Issued:
    """Log in with card number or phone and password: a bearer token (throttled as the
    log-in page is)."""
    b = call.body
    issued = await api_tokens.log_in(login=b.login, password=b.password, address=call.address,
                                     scope=TokenScope(b.scope), label=b.label)  # fmt: skip
    return Issued(issued.secret, token_of(issued.token))


@operation("GET", "/auth/tokens", scopes=MEMBER, tag=TAG, response=list[Token])
async def tokens(call: Call[None, None]) -> list[Token]:
    """My tokens that still work (the app's, other devices')."""
    return [token_of(t) for t in await api_tokens.tokens_of(member_id=call.member_id)]


@operation("DELETE", "/auth/tokens/{token_id}", scopes=MEMBER, tag=TAG)
async def revoke(call: Call[None, None]) -> None:
    """Revoke one of my tokens (this one too: that is logging out)."""
    await api_tokens.revoke(member_id=call.member_id, token_id=call.path_id("token_id"))


@operation("GET", "/children", scopes=MEMBER, tag=TAG, response=list[ChildOut])
async def children_list(call: Call[None, None]) -> list[ChildOut]:
    """My children, for whom I book children's classes."""
    return [child_of(c) for c in await children.children_of(member_id=call.member_id)]


@operation("POST", "/children", scopes=MEMBER, tag=TAG, body=ChildIn, response=ChildOut,
           status=201)  # fmt: skip
async def add_child(call: Call[ChildIn, None]) -> ChildOut:
    """Add a child (name, four-digit birth year)."""
    made = await children.add(member_id=call.member_id, name=call.body.child_name,
                              birth_year=call.body.birth_year)  # fmt: skip
    return child_of(made)


@operation("DELETE", "/children/{child_id}", scopes=MEMBER, tag=TAG)
async def remove_child(call: Call[None, None]) -> None:
    """Take a child off my list; their bookings stay."""
    await children.remove(member_id=call.member_id, child_id=call.path_id("child_id"))


operations = [log_in, tokens, revoke, children_list, add_child, remove_child]
