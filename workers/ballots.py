"""Ballot jobs: thin wrappers over services/fairness. Each may run more than once."""

import logging
from typing import Any

from palace.services.fairness import ballot_draw, ballot_steps

log = logging.getLogger("palace.worker")


async def close_ballots(ctx: dict[str, Any]) -> int:
    return await ballot_steps.close_due()


async def draw_ballots(ctx: dict[str, Any]) -> int:
    return await ballot_steps.draw_due()


async def release_ballots(ctx: dict[str, Any]) -> int:
    return await ballot_steps.release_due()


async def draw_ballot(ctx: dict[str, Any], ballot_id: int) -> int:
    return await ballot_draw.run_draw(ballot_id=ballot_id)


async def ballot_second_round(ctx: dict[str, Any], ballot_id: int) -> int:
    return await ballot_draw.run_second_round(ballot_id=ballot_id)


async def ballot_sweep(ctx: dict[str, Any]) -> dict[str, int]:
    """Every minute: make the ballots of weeks now open, and redo any step a lost job missed."""
    done = await ballot_steps.sweep()
    if any(done.values()):
        log.info("ballot sweep: %s", done)
    return done
