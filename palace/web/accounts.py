"""Register, log in, log out, change password, switch language."""

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from palace.i18n import N_
from palace.services.accounts import accounts, children, sessions
from palace.services.core.errors import AccountError, ServiceError, Throttled
from palace.settings import LANGUAGES
from palace.web import flash, nav
from palace.web.auth import (
    PASSWORD_PAGE,
    forget_login,
    page,
    public,
    remember_login,
    safe_next,
    session_token,
)
from palace.web.messages import field_messages, message
from palace.web.params import path_id
from palace.web.templating import render, request_language

REGISTER_FIELDS = ("card_no", "name", "phone")


async def _form(request: Request) -> dict[str, str]:
    form = await request.form()
    return {key: value for key, value in form.items() if isinstance(value, str)}


def _redirect(target: str) -> Response:
    return RedirectResponse(target, status_code=303)


@public
async def register_form(request: Request) -> Response:
    if request.state.member:
        return _redirect("/")
    context = {"values": {}, "errors": {}, "name_max": accounts.NAME_MAX}
    return render(request, "accounts/register.html", context)


@public
async def register(request: Request) -> Response:
    form = await _form(request)
    try:
        _member, token = await accounts.sign_up(
            card_no=form.get("card_no", ""),
            name=form.get("name", ""),
            phone=form.get("phone", ""),
            password=form.get("password", ""),
            language=request_language(request),
        )
    except AccountError as error:
        values = {key: form.get(key, "") for key in REGISTER_FIELDS}
        errors = field_messages(request_language(request), error)
        context = {"values": values, "errors": errors, "name_max": accounts.NAME_MAX}
        return render(request, "accounts/register.html", context, status_code=400)
    remember_login(request, token)
    flash.add(request, N_("Welcome! Your account is ready."))
    return _redirect("/")


def _asked(raw: str | None) -> str | None:
    """The page the log-in was asked to return to, if one was and it is ours."""
    return raw if raw and safe_next(raw) == raw else None


@public
async def login_form(request: Request) -> Response:
    next_url = _asked(request.query_params.get("next"))
    if request.state.member:
        return _redirect(next_url or nav.start_page(request.state.member.role))
    context = {"next": next_url or "", "login": "", "error": None}
    return render(request, "accounts/login.html", context)


@public
async def login(request: Request) -> Response:
    form = await _form(request)
    next_url = _asked(form.get("next")) or ""
    lang = request_language(request)
    try:
        member, token = await accounts.log_in(
            login=form.get("login", ""),
            password=form.get("password", ""),
            address=request.client.host if request.client else "-",
            language=request.session.get("lang"),
        )
    except Throttled as error:
        context = {
            "next": next_url,
            "login": form.get("login", ""),
            "error": message(lang, error.code, **error.params),
        }
        headers = {"Retry-After": str(error.retry_after)}
        return render(request, "accounts/login.html", context, status_code=429, headers=headers)
    except AccountError as error:
        status = 403 if error.code == "account_disabled" else 400
        context = {
            "next": next_url,
            "login": form.get("login", ""),
            "error": message(lang, error.code),
        }
        return render(request, "accounts/login.html", context, status_code=status)
    remember_login(request, token)
    start = next_url or nav.start_page(member.role)
    return _redirect(PASSWORD_PAGE if member.must_change_password else start)


@public
async def logout(request: Request) -> Response:
    if token := forget_login(request):
        await sessions.end(token=token)
    flash.add(request, N_("You have logged out."))
    return _redirect("/login")


@page()
async def account(request: Request) -> Response:
    return await _account(request)


async def _account(
    request: Request, *, values: dict[str, str] | None = None, errors: dict[str, str] | None = None
) -> Response:
    kids = await children.children_of(member_id=request.state.member.id)
    context = {"children": kids, "values": values or {}, "errors": errors or {}}
    return render(request, "accounts/account.html", context, status_code=400 if errors else 200)


@page()
async def add_child(request: Request) -> Response:
    form = await _form(request)
    values = {key: form.get(key, "")[:200] for key in ("child_name", "birth_year")}
    lang = request_language(request)
    try:
        await children.add(member_id=request.state.member.id, name=values["child_name"],
                           birth_year=values["birth_year"])  # fmt: skip
    except ServiceError as error:
        errors = field_messages(lang, error) or {
            "child_name": message(lang, error.code, **error.params)
        }
        return await _account(request, values=values, errors=errors)
    flash.add(request, N_("Child added. You can book children's classes for them."))
    return _redirect("/account#children")


@page()
async def remove_child(request: Request) -> Response:
    try:
        await children.remove(member_id=request.state.member.id,
                              child_id=path_id(request, "child_id"))  # fmt: skip
    except ServiceError:
        raise HTTPException(404) from None
    flash.add(request, N_("Child removed from your list."))
    return _redirect("/account#children")


@page()
async def password_form(request: Request) -> Response:
    return render(request, "accounts/password.html", {"errors": {}})


@page()
async def change_password(request: Request) -> Response:
    form = await _form(request)
    lang = request_language(request)
    try:
        await accounts.change_password(
            member_id=request.state.member.id,
            current_password=form.get("current_password", ""),
            new_password=form.get("new_password", ""),
            confirm_password=form.get("confirm_password", ""),
            keep_session=session_token(request),
        )
    except AccountError as error:
        context = {"errors": field_messages(lang, error)}
        return render(request, "accounts/password.html", context, status_code=400)
    flash.add(request, N_("Your password has been changed. Other devices have been logged out."))
    return _redirect("/account")


@public
async def switch_language(request: Request) -> Response:
    form = await _form(request)
    lang = form.get("lang", "")
    next_url = safe_next(form.get("next"))
    if lang not in LANGUAGES:
        flash.add(request, N_("That language is not available."), "error")
        return _redirect(next_url)
    request.session["lang"] = lang
    if request.state.member:
        await accounts.set_language(member_id=request.state.member.id, language=lang)
    return _redirect(next_url)


routes = [
    Route("/register", register_form, methods=["GET"]),
    Route("/register", register, methods=["POST"]),
    Route("/login", login_form, methods=["GET"]),
    Route("/login", login, methods=["POST"]),
    Route("/logout", logout, methods=["POST"]),
    Route("/account", account, methods=["GET"]),
    Route("/account/children", add_child, methods=["POST"]),
    Route("/account/children/{child_id}/delete", remove_child, methods=["POST"]),
    Route("/account/password", password_form, methods=["GET"]),
    Route("/account/password", change_password, methods=["POST"]),
    Route("/language", switch_language, methods=["POST"]),
]
