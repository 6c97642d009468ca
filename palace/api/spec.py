"""The OpenAPI 3.1 document, written from the operations' own declarations.

msgspec gives each shape's JSON Schema (2020-12, which OpenAPI 3.1 takes as it is);
this module adds the paths, parameters, statuses and the bearer scheme. The document
is committed as palace/api/openapi.json, and a test fails when the two differ:
regenerate it with ``.venv/bin/python -m palace.api.spec``.
"""

import json
import re
from pathlib import Path
from typing import Any

import msgspec

from palace.api.idempotency import KEY_MAX
from palace.api.operations import WRITES, Operation
from palace.api.shapes import Error

COMMITTED = Path(__file__).with_name("openapi.json")
PREFIX = "/api/v1"
REF = "#/components/schemas/{name}"
ID_SCHEMA = {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}
CODE_SCHEMA = {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,40}$"}
DAY_SCHEMA = {"type": "string", "format": "date"}
DESCRIPTIONS = {
    200: "OK",
    201: "Created",
    204: "Done",
    304: "Not modified since the ETag sent",
    400: "The request or a rule refused it",
    401: "No valid bearer token",
    403: "The token's scope or the member's role does not allow it",
    404: "Not there, or not yours",
    409: "The place is gone or changed, or the same request is in flight",
    413: "The body is larger than the operation takes",
    422: "The idempotency key was used for another request",
    429: "Too many requests: wait for Retry-After seconds",
}


def _path(op: Operation) -> str:
    return PREFIX + re.sub(r"{(\w+):\w+}", r"{\1}", op.path)


def _path_parameters(op: Operation) -> list[dict[str, Any]]:
    names = re.findall(r"{(\w+)(?::\w+)?}", op.path)
    return [
        {
            "name": n,
            "in": "path",
            "required": True,
            "schema": _path_schema(n),
        }
        for n in names
    ]


def _path_schema(name: str) -> dict[str, Any]:
    if name.endswith("_id"):
        return ID_SCHEMA
    return DAY_SCHEMA if name == "day" else CODE_SCHEMA


def _query_parameters(op: Operation) -> list[dict[str, Any]]:
    if op.query is None:
        return []
    found = []
    for field in msgspec.structs.fields(op.query):
        schema = msgspec.json.schema(field.type)
        schema.pop("$defs", None)
        schema = {k: v for k, v in schema.items() if k != "anyOf"} or _not_null(schema)
        found.append({"name": field.encode_name, "in": "query", "required": field.required,
                      "schema": schema})  # fmt: skip
    return found


def _not_null(schema: dict[str, Any]) -> dict[str, Any]:
    """``T | None`` in a query is simply ``T`` left out."""
    kinds = [s for s in schema.get("anyOf", []) if s.get("type") != "null"]
    return kinds[0] if len(kinds) == 1 else schema


def _header_parameters(op: Operation) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = [
        {
            "name": "Accept-Language",
            "in": "header",
            "required": False,
            "schema": {"type": "string", "maxLength": 200},
        },
    ]
    if op.scopes is not None and op.method in WRITES:
        key = {"type": "string", "minLength": 1, "maxLength": KEY_MAX}
        found.append({"name": "X-Idempotency-Key", "in": "header", "required": False,
                      "schema": key})  # fmt: skip
    if op.conditional:
        found.append({"name": "If-None-Match", "in": "header", "required": False,
                      "schema": {"type": "string", "maxLength": 200}})  # fmt: skip
    return found


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": schema}}}


def _statuses(op: Operation) -> list[int]:
    codes = {400}
    if op.scopes is not None:
        codes |= {401, 403, 404, 429}
        if op.method in WRITES:
            codes |= {409, 422}
    else:
        codes |= {403, 429}
    if op.conditional:
        codes.add(304)
    if op.body is not None:
        codes.add(413)
    if "{" in op.path:
        codes.add(404)
    return sorted(codes)


def _operation(op: Operation, schemas: dict[Any, dict[str, Any]]) -> dict[str, Any]:
    doc = (op.handler.__doc__ or op.name).strip()
    success: dict[str, Any] = {"description": DESCRIPTIONS[op.status]}
    if op.response is not None:
        success |= _json(schemas[op.response])
    error = _json({"$ref": REF.format(name="Error")})
    responses = {str(op.status): success} | {
        str(code): {"description": DESCRIPTIONS[code]} | ({} if code == 304 else error)
        for code in _statuses(op)
    }
    found: dict[str, Any] = {
        "operationId": op.name,
        "summary": doc.splitlines()[0],
        "tags": [op.tag],
        "parameters": _path_parameters(op) + _query_parameters(op) + _header_parameters(op),
        "responses": responses,
        "security": [{"bearer": []}] if op.scopes is not None else [],
    }
    if op.scopes is not None:
        found["x-scopes"] = sorted(s.value for s in op.scopes)
    if op.body is not None:
        found["requestBody"] = {"required": True} | _json(schemas[op.body])
    return found


def document(operations: list[Operation]) -> dict[str, Any]:
    shapes = [Error, *{t for op in operations for t in (op.body, op.response) if t is not None}]
    shapes = sorted(set(shapes), key=repr)
    found, components = msgspec.json.schema_components(shapes, ref_template=REF)
    schemas = dict(zip(shapes, found, strict=True))
    paths: dict[str, dict[str, Any]] = {}
    for op in operations:
        paths.setdefault(_path(op), {})[op.method.lower()] = _operation(op, schemas)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Palace API",
            "version": "1",
            "description": "Bookings of the workers' cultural palace, for the union's "
            "mini-program and the desk's devices.",
        },
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }


def text(operations: list[Operation]) -> str:
    return json.dumps(document(operations), indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def write_committed() -> None:
    """Regenerate the committed document (``python -m palace.api.spec``)."""
    from palace.api.app import OPERATIONS  # the app imports this module: import at call

    COMMITTED.write_text(text(OPERATIONS))
    print(f"wrote {COMMITTED}")


if __name__ == "__main__":
    write_committed()
