"""My account → your data: download a copy (JSON), or close the account for good."""

import json

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from palace.i18n import N_
from palace.services.accounts import data_rights
from palace.services.core.errors import AccountError, NotAllowed
from palace.web import flash
from palace.web.auth import forget_login, page
from palace.web.messages import field_messages, message
from palace.web.templating import render, request_language


@page()
async def download(request: Request) -> Response:
    data = await data_rights.export(member_id=request.state.member.id)
    body = json.dumps(data, ensure_ascii=False, indent=2)
    disposition = f'attachment; filename="palace-my-data-{request.state.member.id}.json"'
    headers = {"Content-Disposition": disposition, "Cache-Control": "no-store"}
    return Response(body, media_type="application/json", headers=headers)


@page()
async def close_form(request: Request) -> Response:
    return render(request, "accounts/close.html", {"errors": {}})


@page()
async def close(request: Request) -> Response:
    password = str((await request.form()).get("password", ""))
    lang = request_language(request)
    try:
        await data_rights.close(member_id=request.state.member.id, password=password)
    except (AccountError, NotAllowed) as error:
        errors = field_messages(lang, error) or {"password": message(lang, error.code)}
        return render(request, "accounts/close.html", {"errors": errors}, status_code=400)
    forget_login(request)
    flash.add(request, N_("Your account is closed. Thank you for using the palace."))
    return RedirectResponse("/login", status_code=303)


routes = [
    Route("/account/data", download, methods=["GET"]),
    Route("/account/close", close_form, methods=["GET"]),
    Route("/account/close", close, methods=["POST"]),
]
