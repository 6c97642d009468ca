"""The one code → text catalog (palace/catalog) has Chinese and English text for every
error code raised anywhere in palace/ and for every value of every enum in the models."""

import ast
from enum import StrEnum
from pathlib import Path

import pytest

from palace import catalog, models
from palace.i18n import gettext_for
from palace.services.facilities import rule_schema

PALACE = Path(__file__).parents[1] / "palace"
# What raises or returns a coded error, and what shows one by its code.
ERROR_CALLS = {"message", "code", "text", "Result"}
# The names handlers and services collect field problems under before raising.
PROBLEM_MAPS = {"problems", "errors", "fields"}


def _error_classes(trees: list[ast.Module]) -> set[str]:
    """ServiceError and every class that derives from it, however deep."""
    found = {"ServiceError"}
    classes = [n for t in trees for n in ast.walk(t) if isinstance(n, ast.ClassDef)]
    while True:
        more = {
            c.name for c in classes if {b.id for b in c.bases if isinstance(b, ast.Name)} & found
        }
        if more <= found:
            return found
        found |= more


def _name(call: ast.Call) -> str:
    func = call.func
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")


def _constants(node: ast.expr | None) -> set[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    return set()


def _codes_in(call: ast.Call, raisers: set[str]) -> set[str]:
    name = _name(call)
    found: set[str] = set()
    if name in raisers and call.args:
        found |= _constants(call.args[0])
    if name in ERROR_CALLS and len(call.args) >= 2:
        found |= _constants(call.args[1])  # message(lang, "code"), flash.code(request, "code")
    for keyword in call.keywords:
        if keyword.arg == "fields" and isinstance(keyword.value, ast.Dict):
            for value in keyword.value.values:
                found |= _constants(value)
    return found


def _problem(node: ast.AST) -> set[str]:
    """A field's problem collected before raising: ``problems[name] = "code"``."""
    if not isinstance(node, ast.Assign) or not isinstance(node.targets[0], ast.Subscript):
        return set()
    collected = node.targets[0].value
    named = isinstance(collected, ast.Name) and collected.id in PROBLEM_MAPS
    return _constants(node.value) if named else set()


def raised_codes() -> set[str]:
    """Every code a constructor of a coded error, a field problem or a page names."""
    trees = [ast.parse(path.read_text()) for path in sorted(PALACE.rglob("*.py"))]
    raisers = _error_classes(trees) | {"Result"}
    nodes = [n for t in trees for n in ast.walk(t)]
    codes = {c for n in nodes if isinstance(n, ast.Call) for c in _codes_in(n, raisers)}
    codes |= {code for node in nodes for code in _problem(node)}
    return codes | {rule.code for rule in rule_schema.NUMBERS.values()}


RAISED = raised_codes()
ENUMS = [
    value
    for enum in vars(models).values()
    if isinstance(enum, type) and issubclass(enum, StrEnum) and enum is not StrEnum
    for value in enum
]


def test_the_scans_find_what_they_look_for() -> None:
    # A raiser's code, a field problem's code, a web handler's, and a rule's bound.
    assert {"slot_taken", "opening_time_invalid", "day_invalid", "offer_minutes_invalid"} <= (
        RAISED
    )
    assert len(RAISED) > 100
    assert {e.value for e in ENUMS} >= {"confirmed", "late_cancelled", "beginner", "auto"}
    assert len({type(e) for e in ENUMS}) >= 12


def _said_in_both(message_id: str) -> bool:
    english, chinese = gettext_for("en", message_id), gettext_for("zh-CN", message_id)
    return bool(english.strip()) and chinese != english


@pytest.mark.parametrize("code", sorted(RAISED))
def test_every_raised_code_has_chinese_and_english_text(code: str) -> None:
    assert code in catalog.ERRORS, f"{code} is not in palace/catalog/errors.py"
    assert _said_in_both(catalog.ERRORS[code]), code


@pytest.mark.parametrize("value", ENUMS, ids=lambda e: f"{type(e).__name__}.{e.name}")
def test_every_enum_value_has_chinese_and_english_words(value: StrEnum) -> None:
    found = catalog.label_id(value)
    assert found is not None, f"{type(value).__name__}.{value.name} has no label"
    assert _said_in_both(found)
    assert catalog.label("zh-CN", value) == gettext_for("zh-CN", found)


def test_every_label_and_audit_word_is_translated() -> None:
    words = [*catalog.LABELS.values(), *catalog.ACTIONS.values(), *catalog.KINDS.values()]
    words += [*catalog.RULES.values(), *catalog.WEEKDAYS]
    assert [w for w in words if not _said_in_both(w)] == []


def test_a_text_missing_a_value_still_reads() -> None:
    assert catalog.text("en", "over_quota_hours") == (
        f"You can book at most {catalog.MISSING} hours a day in this hall."
    )
    assert catalog.text("en", "no_such_code") == catalog.GENERIC
    assert catalog.label("en", "no_such_state") == "no_such_state"
