"""Helpers for the API's tests: tokens for members, calls with a bearer token."""

from typing import Any

import httpx

from palace.models import Member, TokenScope
from palace.services.accounts import api_tokens
from tests.helpers import PASSWORD

API = "/api/v1"


async def token_for(member: Member, scope: TokenScope = TokenScope.MEMBER) -> str:
    """A token as logging in to the API gives one."""
    if scope == TokenScope.CHECKIN:
        return (await api_tokens.issue_device(actor_id=member.id, label="scanner")).secret
    issued = await api_tokens.log_in(
        login=member.card_no, password=PASSWORD, address="127.0.0.9", scope=scope
    )
    return issued.secret


def bearer(secret: str, **headers: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}", **headers}


async def call(
    client: httpx.AsyncClient, method: str, path: str, secret: str, **kwargs: Any
) -> httpx.Response:
    headers = bearer(secret, **kwargs.pop("headers", {}))
    return await client.request(method, API + path, headers=headers, **kwargs)
