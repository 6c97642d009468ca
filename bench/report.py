"""The rush's printed figures: one table per round, a median summary over several rounds."""

import argparse
import os
import statistics
from collections.abc import Callable
from dataclasses import dataclass

from tortoise import connections

from bench.client import Figures
from bench.fixture import Integrity

MAX_LISTED = 8


@dataclass(frozen=True)
class Round:
    palace: Figures
    baseline: Figures
    integrity: Integrity
    baseline_taken: int
    baseline_over: int
    picked: int  # distinct slots picked by somebody: the most bookings that can succeed
    problems: list[str]  # error lines from the servers' logs during the round

    @property
    def sound(self) -> bool:
        """No over-booking anywhere, the database agrees with the answers, no odd status."""
        checks = self.integrity
        return (
            checks.double_bookings == 0
            and checks.taken_mismatches == 0
            and checks.audit_mismatch == 0
            and checks.confirmed == self.palace.ok
            and self.baseline_over == 0
            and not self.palace.others
            and not self.baseline.others
        )


async def database_version() -> str:
    conn = connections.get("default")
    if conn.capabilities.dialect == "sqlite":
        rows = await conn.execute_query_dict("SELECT sqlite_version() AS v")
        return f"SQLite {rows[0]['v']}"
    rows = await conn.execute_query_dict("SHOW server_version")
    return f"PostgreSQL {rows[0]['server_version']}"


async def header(args: argparse.Namespace, slots: int, database: str) -> str:
    how = (
        f"closed loop, {args.clients} clients for {args.loop:g} s"
        if args.loop > 0
        else "every request at once"
    )
    where = "one file" if args.database == "sqlite" else f"scratch database {database}"
    worker = " (and a worker sharing the file)" if args.database == "sqlite" else ""
    return "\n".join(
        [
            f"Palace opening-time rush: {args.members} members, {slots} court slots, "
            f"{how}, seed {args.seed}",
            f"{await database_version()} ({where}); "
            f"{args.web_processes} web process(es) for Palace{worker} and for the baseline; "
            f"{args.client_processes} client process(es); {os.cpu_count()} CPUs",
        ]
    )


def footer(trips: dict[int, int], rss_mb: list[float]) -> str:
    """Round trips per booking request, and the web processes' memory after the rounds."""
    won, lost = trips.get(200, "?"), trips.get(409, "?")
    rss = ", ".join(f"{mb:.0f}" for mb in rss_mb)
    return "\n".join(
        [
            "",
            f"database round trips per booking: {won} booked (200), {lost} just taken (409)",
            f"web process RSS after the rounds (MB): {rss}",
        ]
    )


def _line(label: str, palace: object, baseline: object, ratio: str = "") -> str:
    return f"{label:<26}{palace!s:>11}{baseline!s:>11}{ratio:>17}"


def _ratio(palace: float, baseline: float) -> str:
    return f"{palace / baseline:.2f}" if baseline else "-"


def _counts(r: Round) -> list[str]:
    p, b, checks = r.palace, r.baseline, r.integrity
    return [
        _line("requests", p.requests, b.requests),
        _line(f"successes (200, of {r.picked})", p.ok, b.ok),
        _line("just taken (409)", p.taken, b.taken),
        _line("other statuses", p.others.total(), b.others.total()),
        _line("double bookings", checks.double_bookings, r.baseline_over),
        _line("confirmed in database", checks.confirmed, r.baseline_taken),
        _line("Slot.taken mismatches", checks.taken_mismatches, "-"),
        _line("bookings without audit", checks.audit_mismatch, "-"),
    ]


def _timings(p: Figures, b: Figures) -> list[str]:
    return [
        _line("p50 latency (ms)", f"{p.p50_ms:.1f}", f"{b.p50_ms:.1f}", _ratio(p.p50_ms, b.p50_ms)),
        _line("p99 latency (ms)", f"{p.p99_ms:.1f}", f"{b.p99_ms:.1f}", _ratio(p.p99_ms, b.p99_ms)),
        _line("max latency (ms)", f"{p.max_ms:.1f}", f"{b.max_ms:.1f}", _ratio(p.max_ms, b.max_ms)),
        _line(
            "throughput (req/s)",
            f"{p.throughput:.0f}",
            f"{b.throughput:.0f}",
            _ratio(p.throughput, b.throughput),
        ),
        _line("wall time (s)", f"{p.wall_s:.2f}", f"{b.wall_s:.2f}", _ratio(p.wall_s, b.wall_s)),
        _line("client CPU (s)", f"{p.client_cpu_s:.2f}", f"{b.client_cpu_s:.2f}"),
        _line("server CPU (s)", f"{p.server_cpu_s:.2f}", f"{b.server_cpu_s:.2f}"),
        _line(
            "server CPU per request (ms)",
            f"{1000 * p.server_cpu_s / p.requests:.1f}",
            f"{1000 * b.server_cpu_s / b.requests:.1f}",
            _ratio(p.server_cpu_s / p.requests, b.server_cpu_s / b.requests),
        ),
        _line("machine CPU busy (%)", f"{p.machine_busy_pct:.0f}", f"{b.machine_busy_pct:.0f}"),
    ]


def _details(r: Round) -> list[str]:
    lines = []
    for name, found in (("Palace", r.palace), ("baseline", r.baseline)):
        for label, n in found.others.most_common(MAX_LISTED):
            lines.append(f"  {name} other status x{n}: {label}")
    if r.problems:
        lines.append(f"  server log: {len(r.problems)} error line(s), first ones:")
        lines.extend(f"    {line[:200]}" for line in r.problems[:MAX_LISTED])
    if not r.sound:
        lines.append("  !! NOT SOUND: see the counts above")
    return lines


def round_table(number: int, r: Round) -> str:
    head = _line(f"Round {number}", "Palace", "baseline", "Palace/baseline")
    rows = [head, "-" * len(head), *_counts(r), *_timings(r.palace, r.baseline), *_details(r)]
    return "\n" + "\n".join(rows)


def _median(rounds: list[Round], side: Callable[[Round], Figures], name: str) -> float:
    return statistics.median(float(getattr(side(r), name)) for r in rounds)


def summary(rounds: list[Round]) -> str:
    head = _line(f"Median of {len(rounds)} rounds", "Palace", "baseline", "Palace/baseline")
    rows = [head, "-" * len(head)]
    for label, name in (
        ("p50 latency (ms)", "p50_ms"),
        ("p99 latency (ms)", "p99_ms"),
        ("throughput (req/s)", "throughput"),
    ):
        p = _median(rounds, lambda r: r.palace, name)
        b = _median(rounds, lambda r: r.baseline, name)
        rows.append(_line(label, f"{p:.1f}", f"{b:.1f}", _ratio(p, b)))
    sound = sum(r.sound for r in rounds)
    rows.append(f"sound rounds: {sound} of {len(rounds)}")
    return "\n" + "\n".join(rows)
