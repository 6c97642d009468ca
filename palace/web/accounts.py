"""Register, log in, log out, change password, switch language."""

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from palace.i18n import N_
from palace.services.accounts import accounts, children, sessions
from palace.services.core.errors import ServiceError
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
from palace.web.errors import attempt, headers_for, status_for, text_for
from palace.web.messages import field_messages
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
    done = await attempt(accounts.sign_up(**_typed(form, (*REGISTER_FIELDS, "password")),
                                          language=request_language(request)))  # fmt: skip
    if isinstance(done, ServiceError):
        return _register_page(request, form, done)
    remember_login(request, done[1])
    flash.add(request, N_("Welcome! Your account is ready."))
    return _redirect("/")


def _typed(form: dict[str, str], names: tuple[str, ...]) -> dict[str, str]:
    """The form's fields ``names`` as typed ("" for one left out), for a service's keywords."""
    return {name: form.get(name, "") for name in names}


def _register_page(request: Request, form: dict[str, str], error: ServiceError) -> Response:
    values = {key: form.get(key, "") for key in REGISTER_FIELDS}
    errors = field_messages(request_language(request), error)
    context = {"values": values, "errors": errors, "name_max": accounts.NAME_MAX}
    return render(request, "accounts/register.html", context, status_code=400)


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
    address = request.client.host if request.client else "-"
    done = await attempt(accounts.log_in(**_typed(form, ("login", "password")), address=address,
                                         language=request.session.get("lang")))  # fmt: skip
    if isinstance(done, ServiceError):
        return _login_refused(request, next_url, form.get("login", ""), done)
    member, token = done
    remember_login(request, token)
    start = next_url or nav.start_page(member.role)
    return _redirect(PASSWORD_PAGE if member.must_change_password else start)


def _login_refused(request: Request, next_url: str, login: str, error: ServiceError) -> Response:
    """The form again with why: 429 with Retry-After when throttled, 403 when disabled."""
    context = {"next": next_url, "login": login, "error": text_for(request, error)}
    return render(request, "accounts/login.html", context, status_code=status_for(error),
                  headers=headers_for(error))  # fmt: skip


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
    done = await attempt(children.add(member_id=request.state.member.id,
                                      name=values["child_name"],
                                      birth_year=values["birth_year"]))  # fmt: skip
    if isinstance(done, ServiceError):
        lang = request_language(request)
        errors = field_messages(lang, done) or {"child_name": text_for(request, done)}
        return await _account(request, values=values, errors=errors)
    flash.add(request, N_("Child added. You can book children's classes for them."))
    return _redirect("/account#children")


@page()
async def remove_child(request: Request) -> Response:
    await children.remove(member_id=request.state.member.id, child_id=path_id(request, "child_id"))
    flash.add(request, N_("Child removed from your list."))
    return _redirect("/account#children")


@page()
async def password_form(request: Request) -> Response:
    return render(request, "accounts/password.html", {"errors": {}})


@page()
async def change_password(request: Request) -> Response:
    form = await _form(request)
    typed = _typed(form, ("current_password", "new_password", "confirm_password"))
    done = await attempt(accounts.change_password(member_id=request.state.member.id, **typed,
                                                  keep_session=session_token(request)))  # fmt: skip
    if isinstance(done, ServiceError):
        context = {"errors": field_messages(request_language(request), done)}
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
