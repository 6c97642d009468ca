"""API tokens on the pages: a member's apps and devices (listed, revoked) under My
account, and staff pairing a desk scanner with a check-in-only token shown once as a QR.

The tokens work on the JSON API only (palace/api); these pages use the session cookie.
"""

import segno
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from palace.i18n import N_
from palace.models import Role
from palace.services.accounts import api_tokens
from palace.web import flash
from palace.web.auth import page
from palace.web.params import path_id
from palace.web.templating import render

STAFF = (Role.STAFF, Role.ADMIN)
REVOKED = N_("Revoked. That app or device is logged out.")
UNPAIRED = N_("Unpaired. That scanner can no longer check anyone in.")


def pairing_qr(request: Request, secret: str) -> Markup:
    """What a scanner reads to pair: this server's address and its token."""
    text = f"palace-pair:{request.base_url}api/v1|{secret}"
    # segno writes the whole SVG from the text; nothing typed by anyone goes in raw.
    return Markup(segno.make(text, error="m").svg_inline(scale=5, border=2, title=None))  # noqa: S704


@page()
async def mine(request: Request) -> Response:
    found = await api_tokens.tokens_of(member_id=request.state.member.id)
    return render(request, "accounts/tokens.html", {"tokens": found})


@page()
async def revoke(request: Request) -> Response:
    token_id = path_id(request, "token_id")
    await api_tokens.revoke(member_id=request.state.member.id, token_id=token_id)
    flash.add(request, REVOKED)
    return RedirectResponse("/account/tokens", status_code=303)


@page(*STAFF)
async def devices(request: Request) -> Response:
    context = {"devices": await api_tokens.devices(), "issued": None}
    return render(request, "staff/devices.html", context)


@page(*STAFF)
async def pair(request: Request) -> Response:
    """A new scanner's token, shown once: this answer is the only place it appears."""
    label = str((await request.form()).get("label", ""))[:200]
    issued = await api_tokens.issue_device(actor_id=request.state.member.id, label=label)
    context = {"devices": await api_tokens.devices(), "issued": issued,
               "qr_svg": pairing_qr(request, issued.secret)}  # fmt: skip
    return render(request, "staff/devices.html", context, headers={"Cache-Control": "no-store"})


@page(*STAFF)
async def unpair(request: Request) -> Response:
    token_id = path_id(request, "token_id")
    await api_tokens.revoke(member_id=request.state.member.id, token_id=token_id, device=True)
    flash.add(request, UNPAIRED)
    return RedirectResponse("/staff/devices", status_code=303)


routes = [
    Route("/account/tokens", mine, methods=["GET"]),
    Route("/account/tokens/{token_id}/revoke", revoke, methods=["POST"]),
    Route("/staff/devices", devices, methods=["GET"]),
    Route("/staff/devices", pair, methods=["POST"]),
    Route("/staff/devices/{token_id}/revoke", unpair, methods=["POST"]),
]
