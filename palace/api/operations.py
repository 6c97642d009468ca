"""One declaration per API operation: its route, who may call it, what it takes and
gives. The same declaration routes the request and writes the OpenAPI document.

Every operation runs the same steps: the bearer token and its scope, the token's rate
limit, the body read up to the operation's limit, the idempotency key of a write, the
body and query decoded (msgspec), the handler (which parses, calls one service and
returns a shape), and the answer encoded, with an ETag where the operation is
conditional.
"""

import hashlib
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, Generic, TypeVar

import msgspec
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from palace.api import errors, idempotency
from palace.api.shapes import reachable
from palace.models import ApiToken, TokenScope
from palace.services.accounts import api_tokens, throttle
from palace.services.core import clock
from palace.services.core.errors import NotFound, ServiceError, Throttled
from palace.web.params import parse_id

B = TypeVar("B")
Q = TypeVar("Q")
WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
MEMBER = frozenset({TokenScope.MEMBER})
CHECK_IN = frozenset({TokenScope.DESK, TokenScope.CHECKIN})  # a scanner may only check in
DESK = frozenset({TokenScope.DESK})
BODY_MAX = 64 * 1024  # bytes: what an operation with a body takes unless it says more


@dataclass(frozen=True)
class Call(Generic[B, Q]):
    """One API request as a handler sees it."""

    request: Request
    lang: str
    token: ApiToken | None
    body: B
    query: Q

    @property
    def member_id(self) -> int:
        assert self.token is not None, "a public operation has no member"
        return int(self.token.member_id)

    def path_id(self, name: str) -> int:
        """An id from the path; anything else is a 404, never a crash."""
        found = parse_id(str(self.request.path_params.get(name, "")))
        if found is None:
            raise NotFound("not_found")
        return found

    def path_day(self, name: str) -> date:
        """A day ("YYYY-MM-DD") from the path, within the years the API names; anything
        else is a 404."""
        found = clock.parse_day(str(self.request.path_params.get(name, ""))[:40])
        if found is None or not reachable(found):
            raise NotFound("not_found")
        return found

    @property
    def address(self) -> str:
        return self.request.client.host if self.request.client else "-"


Handler = Callable[[Call[Any, Any]], Awaitable[Any]]


@dataclass(frozen=True)
class Operation:
    method: str
    path: str  # below /api/v1, with Starlette convertors ("{code:code}")
    handler: Handler
    scopes: frozenset[TokenScope] | None  # None: anyone (logging in)
    tag: str
    body: type | None = None
    query: type | None = None
    response: Any = None  # the shape of a successful answer; None for 204
    status: int = 200
    conditional: bool = False  # answers carry an ETag; If-None-Match gives 304
    body_max: int = BODY_MAX  # a larger body is refused (413) before it is read in full

    @property
    def name(self) -> str:
        return self.handler.__name__

    @property
    def route(self) -> Route:
        return Route(self.path, self.endpoint, methods=[self.method], name=f"api_{self.name}")

    async def endpoint(self, request: Request) -> Response:
        return await _handle(self, request)


def operation(
    method: str, path: str, *, scopes: frozenset[TokenScope] | None, tag: str, **shape: Any
) -> Callable[[Handler], Operation]:
    # An operation that answers nothing answers 204.
    shape.setdefault("status", 200 if shape.get("response") is not None else 204)

    def declare(handler: Handler) -> Operation:
        return Operation(method, path, handler, scopes, tag, **shape)

    return declare


def bearer(request: Request) -> str:
    scheme, _, secret = request.headers.get("authorization", "").partition(" ")
    return secret.strip() if scheme.lower() == "bearer" else ""


async def _handle(op: Operation, request: Request) -> Response:
    lang = errors.language(request.headers.get("accept-language", ""))
    token = None
    if op.scopes is not None:
        token = await api_tokens.resolve(secret=bearer(request))
        if token is None:
            challenge = {"WWW-Authenticate": 'Bearer realm="palace"'}
            return errors.respond(lang, 401, "token_invalid", headers=challenge)
        if token.scope not in op.scopes:
            return errors.respond(lang, 403, "scope_not_allowed")
        try:
            await throttle.reserve_api_request(token_key=str(token.id))
        except Throttled as error:
            return errors.refused(lang, error)
    body = b""
    if op.body is not None:  # an operation without a body reads none
        found = await _read(request, op.body_max)
        if found is None:
            return errors.respond(lang, 413, "request_too_large", {"max": op.body_max // 1024})
        body = found
    key = request.headers.get(idempotency.HEADER)
    if token is None or op.method not in WRITES or key is None:
        return await _run(op, request, lang, token, body)
    return await _once(op, request, lang, token, body, key)


async def _read(request: Request, limit: int) -> bytes | None:
    """The body, or None as soon as it is larger than ``limit`` bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


async def _once(
    op: Operation, request: Request, lang: str, token: ApiToken, body: bytes, key: str
) -> Response:
    """A write with an idempotency key: handled once, answered the same way again."""
    if not 1 <= len(key) <= idempotency.KEY_MAX:
        return _invalid(lang, {"X-Idempotency-Key": "field_invalid"})
    sent = idempotency.fingerprint(op.method, request.url.path, body)
    claimed = await idempotency.claim(token_id=token.id, key=key, fingerprint=sent)
    if claimed is not None and claimed.found is not None:
        return _earlier(lang, claimed, sent)
    try:
        response = await _run(op, request, lang, token, body)
    except BaseException:
        if claimed is not None:
            await idempotency.release(claimed)
        raise
    if claimed is not None:
        await idempotency.record(claimed, status=response.status_code, body=bytes(response.body),
                                 content_type=response.media_type or "")  # fmt: skip
    return response


def _earlier(lang: str, claimed: idempotency.Claim, sent: str) -> Response:
    found = claimed.found
    assert found is not None
    if found.fingerprint != sent:
        return errors.respond(lang, 422, "idempotency_key_reused")
    if found.status == 0:
        return errors.respond(lang, 409, "request_in_flight")
    headers = {"X-Idempotent-Replay": "true", "Cache-Control": "no-store"}
    if found.status == 204:
        return Response(status_code=204, headers=headers)
    return Response(found.body, found.status, headers=headers, media_type=found.content_type)


async def _run(
    op: Operation, request: Request, lang: str, token: ApiToken | None, body: bytes
) -> Response:
    try:
        call: Call[Any, Any] = Call(request, lang, token, _body(op, body), _query(op, request))
    except msgspec.ValidationError as error:
        return _invalid(lang, {_field(str(error)): "field_invalid"})
    except (msgspec.DecodeError, UnicodeDecodeError):  # not JSON, or not UTF-8 text
        return _invalid(lang, {})
    try:
        result = await op.handler(call)
    except ServiceError as error:
        return errors.refused(lang, error)
    return _answer(op, request, result)


def _body(op: Operation, body: bytes) -> Any:
    if op.body is None:
        return None
    return msgspec.json.decode(body, type=op.body)


def _query(op: Operation, request: Request) -> Any:
    if op.query is None:
        return None
    values = {name: value for name, value in request.query_params.items() if value != ""}
    return msgspec.convert(values, type=op.query, strict=False)


FIELD_AT = re.compile(r"at `\$\.(\w+)")
FIELD_MISSING = re.compile(r"required field `(\w+)`")


def _field(text: str) -> str:
    found = FIELD_AT.search(text) or FIELD_MISSING.search(text)
    return found.group(1) if found else "body"


def _invalid(lang: str, fields: dict[str, str]) -> Response:
    shown = {name: errors.text(lang, code) for name, code in fields.items()}
    return errors.respond(lang, 400, "request_invalid", fields=shown)


def _answer(op: Operation, request: Request, result: Any) -> Response:
    if op.response is None:
        return Response(status_code=204, headers={"Cache-Control": "no-store"})
    data = msgspec.json.encode(result)
    if not op.conditional:
        headers = {"Cache-Control": "no-store"}
        return Response(data, op.status, headers=headers, media_type="application/json")
    etag = f'"{hashlib.sha256(data).hexdigest()[:32]}"'
    headers = {"ETag": etag, "Cache-Control": "private, no-cache"}
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    return Response(data, op.status, headers=headers, media_type="application/json")
