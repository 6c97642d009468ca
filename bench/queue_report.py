"""The opening-queue bench's figures: what one round measured (read back from the
database and the published file), its table, and the medians over the rounds."""

import argparse
import os
import statistics
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx

from bench import fixture
from bench.client import Outcome
from bench.queue_stage import Hall
from bench.report import database_version

TARGET_SECONDS = 10.0  # the queue done, every booking made, this long after the gathering
MAX_LISTED = 8


@dataclass(frozen=True)
class Fired:
    """Requests sent all at once, as answered."""

    outcomes: list[Outcome]
    offset: float  # wall clock minus the monotonic clock the clients time with
    server_cpu_s: float
    machine_busy_pct: float

    @property
    def statuses(self) -> Counter[int]:
        return Counter(o.status for o in self.outcomes)

    @property
    def server_errors(self) -> int:
        """5xx answers and requests nobody answered."""
        return sum(n for status, n in self.statuses.items() if status >= 500 or status == 0)

    def latency_ms(self) -> dict[str, float]:
        found = sorted((o.ended - o.started) * 1000 for o in self.outcomes)
        cuts = statistics.quantiles(found, n=100, method="inclusive")
        return {"p50": cuts[49], "p90": cuts[89], "p99": cuts[98], "max": found[-1]}

    def first_sent(self) -> datetime:
        return _wall(min(o.started for o in self.outcomes) + self.offset)

    def last_answered(self) -> datetime:
        return _wall(max(o.ended for o in self.outcomes) + self.offset)

    def notes(self) -> Counter[str]:
        return Counter(f"{o.status}: {o.note.strip()[:120]}" for o in self.outcomes if o.note)


def _wall(moment: float) -> datetime:
    return datetime.fromtimestamp(moment, UTC)


@dataclass(frozen=True)
class Round:
    joins: Fired
    pages: Fired  # baseline: everyone reads the queue page (same token, hall, queries)
    ready: Fired  # baseline: everyone asks /readyz (the stack, a database and Redis ping)
    gathers_until: datetime
    published_at: datetime  # the worker moved the queue to serving
    last_booking_at: datetime | None
    served_at: datetime  # the worker moved it to done (then tells the losers)
    done_at: datetime  # that commit, every loser told, as the bench saw it (polling)
    entries: int  # in the published entry list
    places: int  # free when the gathering ended
    winners: int  # members the queue gave a place
    bookings: int  # confirmed bookings made by the queue
    integrity: fixture.Integrity
    verdict: str  # "matches", or what ballot_verify says does not
    problems: list[str]  # error lines in the server's log during the round

    @property
    def fired(self) -> tuple[Fired, Fired, Fired]:
        return self.joins, self.pages, self.ready

    def after_end(self, moment: datetime | None) -> float:
        return (moment - self.gathers_until).total_seconds() if moment else 0.0

    @property
    def done_s(self) -> float:
        return self.after_end(self.done_at)

    @property
    def last_booking_s(self) -> float:
        return self.after_end(self.last_booking_at)

    @property
    def sound(self) -> bool:
        checks = self.integrity
        return (
            sum(f.server_errors for f in self.fired) == 0
            and self.entries == self.joins.statuses[200]  # every join answered 200 is in it
            and self.bookings == self.winners
            and checks.double_bookings == checks.taken_mismatches == checks.audit_mismatch == 0
            and self.verdict == "matches"
        )


async def measure(
    base: str,
    hall: Hall,
    queue_id: int,
    fired: tuple[Fired, Fired, Fired],
    done_at: float,
    problems: list[str],
) -> Round:
    """The round as the database and the published file have it, once served."""
    from palace.models import AuditEvent, Booking, BookingSource, OpeningQueue
    from palace.services.fairness import ballot_verify

    queue = await OpeningQueue.get(id=queue_id)
    published = await AuditEvent.get(entity="opening_queue", entity_id=queue_id,
                                     action="queue_publish")  # fmt: skip
    booked = Booking.filter(source=BookingSource.QUEUE, facility_id=hall.facility.id)
    last = await booked.order_by("-created_at").first()
    async with httpx.AsyncClient(timeout=60) as client:
        doc = (await client.get(f"{base}/api/v1/queues/{queue_id}/draw")).json()
    verdict = ballot_verify.verify(doc)
    won = doc["results"]["won"]
    assert queue.served_at is not None
    return Round(
        joins=fired[0], pages=fired[1], ready=fired[2], gathers_until=hall.times.gathers_until,
        published_at=published.at, last_booking_at=last.created_at if last else None,
        served_at=queue.served_at, done_at=_wall(done_at), entries=len(doc["entries"]),
        places=sum(p["places"] for p in doc["places"]),
        winners=sum(1 for key in won.values() if key is not None),
        bookings=await booked.filter(status="confirmed").count(),
        integrity=await fixture.integrity(),
        verdict="matches" if verdict.matches else ", ".join(r.code for r in verdict.reasons),
        problems=problems,
    )  # fmt: skip


async def header(args: argparse.Namespace, hall: Hall, database: str) -> str:
    return "\n".join(
        [
            f"Palace opening queue: {args.members} members join within the same second, "
            f"{args.fire_before:g} s before a {args.gather} s gathering ends; "
            f"{args.courts} courts x 14 hours; seed {args.seed}",
            f"{await database_version()} (scratch database {database}); palace serve with "
            f"{args.web_processes} web process(es) and its arq worker; "
            f"{args.client_processes} client process(es); {os.cpu_count()} CPUs",
        ]
    )


COLUMNS = ("joins", "page GETs", "/readyz")


def _line(label: str, *values: object) -> str:
    return f"{label:<34}" + "".join(f"{v!s:>12}" for v in values)


def _head() -> str:
    return _line("", *COLUMNS, "joins/page", "joins/ready")


def _at(moment: datetime | None) -> str:
    return moment.astimezone(UTC).strftime("%H:%M:%S.%f")[:-3] if moment else "-"


def _figure(label: str, values: list[float], digits: int = 0) -> str:
    ratios = [f"{values[0] / v:.2f}" if v else "-" for v in values[1:]]
    return _line(label, *(f"{v:.{digits}f}" for v in values), *ratios)


def _answers(r: Round) -> list[str]:
    rows = [_head()]
    seen = sorted({status for f in r.fired for status in f.statuses})
    for status in seen:
        name = f"answered {status}" if status else "no answer"
        rows.append(_line(name, *(f.statuses.get(status, 0) for f in r.fired)))
    rows.append(_line("5xx or no answer", *(f.server_errors for f in r.fired)))
    for name in ("p50", "p90", "p99", "max"):
        rows.append(_figure(f"{name} latency (ms)", [f.latency_ms()[name] for f in r.fired]))
    cpu = [1000 * f.server_cpu_s / len(f.outcomes) for f in r.fired]
    rows.append(_figure("server CPU per request (ms)", cpu, 1))
    rows.append(_line("machine CPU busy (%)", *(f"{f.machine_busy_pct:.0f}" for f in r.fired)))
    return rows


def _serve(r: Round) -> list[str]:
    def since(moment: datetime | None) -> str:
        return f"{_at(moment)} ({r.after_end(moment):+.2f} s)"

    checks = r.integrity
    met = "met" if max(r.done_s, r.last_booking_s) <= TARGET_SECONDS else "MISSED"
    return [
        f"joins sent                     {since(r.joins.first_sent())}",
        f"last join answered             {since(r.joins.last_answered())}",
        f"gathering ends                 {_at(r.gathers_until)}",
        f"entry list published           {since(r.published_at)}",
        f"last booking made              {since(r.last_booking_at)}",
        f"queue marked done              {since(r.served_at)}",
        f"... committed, losers told     {since(r.done_at)}   target {TARGET_SECONDS:g} s: {met}",
        f"entries {r.entries}, places {r.places}, got a place {r.winners}, "
        f"bookings {r.bookings} (double {checks.double_bookings}, taken counter off "
        f"{checks.taken_mismatches}, without audit {checks.audit_mismatch})",
        f"published file: {r.verdict}",
    ]


def round_table(number: int, r: Round) -> str:
    rows = [f"\nRound {number}", *_answers(r), "", *_serve(r)]
    notes = r.joins.notes() + r.pages.notes() + r.ready.notes()
    for label, n in notes.most_common(MAX_LISTED):
        rows.append(f"  x{n} {label}")
    if r.problems:
        rows.append(f"  server log: {len(r.problems)} error line(s), first ones:")
        rows.extend(f"    {line[:200]}" for line in r.problems[:MAX_LISTED])
    rows.append("SOUND" if r.sound else "!! NOT SOUND: see above")
    return "\n".join(rows)


def _median(rounds: list[Round], value: Callable[[Round], float]) -> float:
    return statistics.median(value(r) for r in rounds)


def summary(rounds: list[Round]) -> str:
    rows = [f"\nMedian of {len(rounds)} rounds", _head()]
    for name in ("p50", "p90", "p99", "max"):
        values = [statistics.median(r.fired[n].latency_ms()[name] for r in rounds)
                  for n in range(len(COLUMNS))]  # fmt: skip
        rows.append(_figure(f"{name} latency (ms)", values))
    last = _median(rounds, lambda r: r.last_booking_s)
    done = _median(rounds, lambda r: r.done_s)
    rows.append(_line("gathering end -> last booking (s)", f"{last:.2f}"))
    rows.append(_line("gathering end -> queue done (s)", f"{done:.2f}"))
    rows.append(f"sound rounds: {sum(r.sound for r in rounds)} of {len(rounds)}")
    return "\n".join(rows)
