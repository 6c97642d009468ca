"""Every coded error and desk result renders in both languages with the parameters its
raisers pass: a missing placeholder value, a collision with the call's own keywords, or
markup and ``%`` in a member's name never break the message."""

import ast
from pathlib import Path

import pytest

from palace.catalog import MISSING
from palace.web.messages import MESSAGES, message

SERVICES = Path(__file__).parents[2] / "palace" / "services"
# A name a member could type: markup and format directives must come out as typed.
TYPED = "<b>%(x)s 50%</b>"


def _error_classes(trees: list[ast.Module]) -> set[str]:
    """ServiceError and every class that derives from it (one level is enough here)."""
    found = {"ServiceError"}
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                bases = {b.id for b in node.bases if isinstance(b, ast.Name)}
                if bases & found:
                    found.add(node.name)
    return found


def _name(call: ast.Call) -> str:
    func = call.func
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")


def _raised() -> dict[str, set[str]]:
    """code → the parameter names some raiser passes with it."""
    trees = [ast.parse(path.read_text()) for path in sorted(SERVICES.rglob("*.py"))]
    kinds = _error_classes(trees) | {"Result"}
    raised: dict[str, set[str]] = {}
    for tree in trees:
        for call in (n for n in ast.walk(tree) if isinstance(n, ast.Call)):
            first = call.args[0] if call.args else None
            if _name(call) not in kinds or not isinstance(first, ast.Constant):
                continue
            names = {k.arg for k in call.keywords if k.arg and k.arg != "fields"}
            params = next((k.value for k in call.keywords if k.arg == "params"), None)
            if isinstance(params, ast.Dict):
                names = (names - {"params"}) | {
                    k.value for k in params.keys if isinstance(k, ast.Constant)
                }
            raised.setdefault(str(first.value), set()).update(names)
    return raised


RAISED = _raised()


def test_the_scan_finds_the_raisers() -> None:
    assert RAISED["nothing_due"] == {"name", "card"}
    assert RAISED["too_many_partners"] == {"max"}
    assert len(RAISED) > 60


@pytest.mark.parametrize("code", sorted(RAISED))
@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_every_raised_code_renders_with_its_raisers_params(code: str, lang: str) -> None:
    assert code in MESSAGES, f"{code} has no message"
    params = dict.fromkeys(RAISED[code], TYPED)
    shown = message(lang, code, **params)
    assert "%(" not in shown.replace(TYPED, ""), f"{code}: a placeholder had no value"
    # The catalog puts MISSING in for a value nobody gave, rather than fail: none here.
    assert MISSING not in shown, f"{code}: a placeholder had no value"
    for name in RAISED[code]:
        if f"%({name})" in str(MESSAGES[code]):
            assert TYPED in shown


def test_params_named_like_the_call_do_not_collide() -> None:
    shown = message("en", "nothing_due", name="Ann", lang="x", code="y")
    assert shown == "Ann has no booking to check in to now."
