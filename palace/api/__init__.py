"""The JSON API (/api/v1) for the union's mini-program and the desk's devices.

Same services as the pages, no rule written twice: a handler parses, calls one
service and serialises. Bearer tokens only (cookies are ignored here), errors as
``{"code", "detail"}`` from the pages' catalog, the OpenAPI document generated from
the same declarations that route the requests.
"""
