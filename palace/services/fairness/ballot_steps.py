"""The ballots' timeline, step by step, for the worker's jobs and its sweep.

Each step finds the ballots it is due for in the database and runs the service that
does it; every service re-checks the state under its own conditional UPDATE, so a step
run twice, or by two workers, does its work once. A lost job delays a step by at most
the sweep's minute.
"""

from palace.models import Ballot, BallotState
from palace.services.core import clock
from palace.services.fairness import ballot_draw, ballot_setup, ballots


async def _due(state: BallotState, at_field: str, **more: object) -> list[int]:
    query = Ballot.filter(state=state, **{f"{at_field}__lte": clock.now()}, **more)
    return list(await query.order_by("id").values_list("id", flat=True))  # type: ignore[arg-type]


async def close_due() -> int:
    return sum(
        [await ballots.close(ballot_id=i) for i in await _due(BallotState.OPEN, "closes_at")]
    )


async def draw_due() -> int:
    drawn = 0
    for ballot_id in await _due(BallotState.CLOSED, "draw_at"):
        await ballot_draw.run_draw(ballot_id=ballot_id)
        drawn += 1
    return drawn


async def second_rounds_due() -> int:
    found = await _due(BallotState.DRAWN, "draw_at", second_round_at__isnull=True)
    for ballot_id in found:
        await ballot_draw.run_second_round(ballot_id=ballot_id)
    return len(found)


async def release_due() -> int:
    found = await _due(BallotState.DRAWN, "release_at", second_round_at__isnull=False)
    return sum([await ballot_draw.release(ballot_id=i) for i in found])


async def sweep() -> dict[str, int]:
    """Every step that is due, in timeline order: the ballots of weeks now open made,
    windows closed, draws and second rounds run, leftovers released."""
    return {
        "made": await ballot_setup.ensure_ballots(),
        "closed": await close_due(),
        "drawn": await draw_due(),
        "second_rounds": await second_rounds_due(),
        "released": await release_due(),
    }
