"""Property-based tests of every API operation against a real server process: no 5xx,
and every answer (status, content type, headers, body) matches the published schema."""

import asyncio
import os
from datetime import timedelta
from typing import Any

import hypothesis
import pytest
from hypothesis import HealthCheck, Phase
from schemathesis import openapi
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from palace.models import Facility, Member, OpeningQueue, Role, TokenScope
from palace.services.booking import bookings
from palace.services.fairness import opening_queue, queue_serve
from tests.api.helpers import API, token_for
from tests.fairness_helpers import draw_now, enter, key, make_ballot
from tests.helpers import court, make_hall, make_member, slot_at
from tests.processes import web_server
from tests.queue_helpers import Clock, join, queue_day, queue_times
from tests.queue_helpers import key as queue_key

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
EXAMPLES = int(os.environ.get("PALACE_SCHEMATHESIS_EXAMPLES", "15"))


def _check_all(base: str, tokens: dict[str, str]) -> list[str]:
    """Every operation, each with its scope's token; the failures, named."""
    schema = openapi.from_url(f"{base}{API}/openapi.json")
    failures: list[str] = []
    count = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        scopes = operation.definition.raw.get("x-scopes", [])
        secret = tokens["member"] if "member" in scopes else tokens["desk"]
        headers = {"Authorization": f"Bearer {secret}"} if scopes else {}
        try:
            _check_one(base, operation, headers)
        except Exception as error:  # collected, and reported together below
            failures.append(f"{operation.method.upper()} {operation.path}: {error}")
        count += 1
    assert count >= 30, "the document lists too few operations"
    return failures


def _check_one(base: str, operation: Any, headers: dict[str, str]) -> None:
    @hypothesis.settings(max_examples=EXAMPLES, deadline=None, database=None,
                         phases=[Phase.explicit, Phase.generate],
                         suppress_health_check=list(HealthCheck))  # fmt: skip
    @hypothesis.given(case=operation.as_strategy())
    def check(case: Any) -> None:
        response = case.call(base_url=base, headers=headers)
        case.validate_response(response, checks=CHECKS)

    check()


async def _queues(hall: Facility, member: Member, monkeypatch: pytest.MonkeyPatch) -> None:
    """An opening queue the member joined, served (id 1), and one still gathering (id 2)."""
    times = await queue_times(hall)
    with monkeypatch.context() as patched:
        now = Clock(patched, times.opens_at - timedelta(minutes=5))
        await join(hall, member.id, queue_key(queue_day(), 10), queue_key(queue_day(), 11, "*"))
        now.set(times.serves_at)
        await queue_serve.serve(queue_id=(await OpeningQueue.get(facility_id=hall.id)).id)
    later = await queue_times(hall, queue_day() + timedelta(days=1))
    await opening_queue.queue_for(hall.id, later)


async def test_every_operation_answers_within_its_schema(monkeypatch: pytest.MonkeyPatch) -> None:
    hall = await make_hall(partners_allowed=True)
    member = await make_member()
    # Something to find: a booking of the member's, and a desk clerk's device.
    await bookings.book(member_id=member.id, resource_id=(await court(hall)).id,
                        starts_at=slot_at())  # fmt: skip
    # An open ballot the member entered (id 1) and a drawn one (id 2), with its results.
    open_ballot = await make_ballot(hall)
    await enter(open_ballot, member.id, key(open_ballot))
    drawn = await make_ballot(await make_hall(code="tt"))
    await enter(drawn, member.id, key(drawn), any_other_time=True)
    await draw_now(drawn)
    await _queues(hall, member, monkeypatch)
    # Tokens of someone else first: the ids the tests try to revoke are mostly theirs.
    decoy = await make_member()
    for _ in range(20):
        await token_for(decoy)
    tokens = {
        "member": await token_for(member),
        "desk": await token_for(await make_member(role=Role.DESK), TokenScope.DESK),
    }
    env = {"PALACE_API_REQUESTS_PER_MINUTE": "100000"}
    with web_server(env=env) as base:
        failures = await asyncio.to_thread(_check_all, base, tokens)
    assert failures == [], "\n\n".join(failures)
