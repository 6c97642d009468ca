"""No advantage from arriving earlier: 1,000 members join an opening queue one after
another across its whole window, and the order they are served in does not follow the
order they came in, for several seeds."""

import statistics

import pytest

from palace.models import Booking, BookingSource, Member, OpeningQueue, QueueEntry
from palace.services.fairness import draw, queue_serve
from tests.helpers import make_hall, make_members
from tests.queue_helpers import Clock, join, key, queue_day, queue_times

MEMBERS = 1000
SEEDS = 5
# For independent ranks the rank correlation of 1,000 pairs has a standard deviation
# of 1/sqrt(999) ≈ 0.032: 0.12 is over 3.5 of them, while serving by arrival gives 1.
TOLERANCE = 0.12


def _ranks(values: list[int]) -> list[float]:
    order = sorted(range(len(values)), key=values.__getitem__)
    ranks = [0.0] * len(values)
    for rank, index in enumerate(order):
        ranks[index] = float(rank)
    return ranks


def spearman(a: list[int], b: list[int]) -> float:
    return statistics.correlation(_ranks(a), _ranks(b))


def test_the_statistic_sees_an_order_that_follows_arrival() -> None:
    arrival = list(range(MEMBERS))
    assert spearman(arrival, arrival) == pytest.approx(1.0)
    assert spearman(arrival, arrival[::-1]) == pytest.approx(-1.0)
    # Early arrivals served first half the time is already far outside the tolerance.
    half_fair = [r if r % 2 else r // 4 for r in arrival]
    assert spearman(arrival, half_fair) > 3 * TOLERANCE


async def test_arrival_rank_and_queue_rank_are_uncorrelated_over_several_seeds(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    hall = await make_hall(courts=4)
    times = await queue_times(hall)
    now = Clock(monkeypatch, times.joins_from)
    members = await make_members(MEMBERS)
    window = times.gathers_until - times.joins_from
    day = queue_day()
    arrival: dict[int, int] = {}
    for n, member in enumerate(members):  # evenly from the first instant to the last
        now.set(times.joins_from + window * n / MEMBERS)
        await join(hall, member.id, key(day, 18 + n % 4, "*"), key(day, 19 + n % 3, "*"))
        arrival[member.id] = n
    queue = await OpeningQueue.get(facility_id=hall.id)
    # Fixed seeds: the secret is the queue's own, drawn at random; here it is set.
    secrets = [f"{s:064x}" for s in range(1, SEEDS + 1)]
    await OpeningQueue.filter(id=queue.id).update(secret=secrets[0])
    now.set(times.serves_at)
    await queue_serve.serve(queue_id=queue.id)
    served = await OpeningQueue.get(id=queue.id)
    assert served.entry_hash is not None and served.results is not None
    by_name = dict(await QueueEntry.filter(queue_id=queue.id).values_list("pseudonym", "member_id"))
    entrants = queue_serve.published_entrants(served)
    assert len(entrants) == MEMBERS
    correlations = []
    for secret in secrets:
        order = draw.order(draw.seed(secret, served.entry_hash), entrants)
        if secret == secrets[0]:
            assert [e.pseudonym for e in order] == served.results["order"]
        arrivals = [arrival[by_name[e.pseudonym]] for e in order]
        correlations.append(spearman(arrivals, list(range(MEMBERS))))
    assert all(abs(rho) < TOLERANCE for rho in correlations), correlations
    # Nor does the first tenth to arrive win more than its share of the places.
    winners = await Booking.filter(source=BookingSource.QUEUE).values_list("member_id", flat=True)
    assert len(winners) == 16  # four courts at four times
    early = {m.id for m in members[: MEMBERS // 10]}
    assert sum(w in early for w in winners) <= 6  # expected 1.6; by arrival it would be 16
    assert await Member.all().count() == MEMBERS
