"""The demo palace of the brief: halls, courts, hours and one account per role."""

from collections import Counter
from dataclasses import dataclass, field

from palace.demo import classes as demo_classes
from palace.models import BookingRules, Facility, FacilityKind, Member, OpeningHours, Resource, Role
from palace.services.accounts import accounts
from palace.services.core import after_commit
from palace.services.core.errors import AccountError
from palace.services.facilities import rules

EVERY_DAY = range(7)


@dataclass(frozen=True)
class DemoFacility:
    code: str
    name_zh: str
    name_en: str
    kind: FacilityKind
    resources: list[tuple[str, str, str, int]]
    opens: str = "08:00"
    closes: str = "22:00"


def _courts(prefix_zh: str, prefix_en: str, count: int) -> list[tuple[str, str, str, int]]:
    return [(f"c{n}", f"{n}号{prefix_zh}", f"{prefix_en} {n}", 1) for n in range(1, count + 1)]


FACILITIES = [
    DemoFacility("badminton", "羽毛球馆", "Badminton hall", FacilityKind.COURT,
                 _courts("场", "Court", 6)),
    DemoFacility("table-tennis", "乒乓球馆", "Table-tennis hall", FacilityKind.COURT,
                 _courts("台", "Table", 8)),
    DemoFacility("air-volleyball", "气排球馆", "Air-volleyball hall", FacilityKind.COURT,
                 _courts("场", "Court", 2)),
    DemoFacility("gym", "健身馆", "Gym", FacilityKind.CAPACITY,
                 [("floor", "健身区", "Gym floor", 30)], opens="06:30"),
    DemoFacility("recovery", "职工亚健康馆", "Recovery hall", FacilityKind.CAPACITY,
                 [("floor", "理疗区", "Recovery room", 8)], opens="09:00", closes="21:00"),
    DemoFacility("studio", "多功能厅", "Multi-purpose room", FacilityKind.CLASSROOM,
                 [("room", "多功能厅", "Multi-purpose room", 25)]),
]  # fmt: skip


@dataclass(frozen=True)
class DemoAccount:
    role: Role
    card_no: str
    name: str
    phone: str
    password: str


ACCOUNTS = [
    DemoAccount(Role.MEMBER, "20260001", "李明", "13800000001", "member-demo-2026"),
    DemoAccount(Role.DESK, "20269001", "王芳", "13800000002", "desk-demo-2026"),
    DemoAccount(Role.STAFF, "20268001", "张伟", "13800000003", "staff-demo-2026"),
    DemoAccount(Role.ADMIN, "20267001", "刘洋", "13800000004", "admin-demo-2026"),
]


# What the seed makes ("kind: which" in the report), named for the operator, in order.
KINDS = {
    "hall": ("hall", "halls"),
    "court": ("court or room", "courts and rooms"),
    "hours": ("day of opening hours", "days of opening hours"),
    "rules": ("set of booking rules", "sets of booking rules"),
    "room": ("room set up for classes", "rooms set up for classes"),
    "class type": ("class", "classes"),
    "instructor": ("instructor", "instructors"),
    "schedule": ("weekly class schedule", "weekly class schedules"),
    "account": ("demo account", "demo accounts"),
}


@dataclass
class SeedReport:
    created: list[str] = field(default_factory=list)  # "kind: which"
    skipped: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created)

    def summary(self) -> str:
        """What was created, counted by kind: "6 halls, 19 courts and rooms, …"."""
        counts = Counter(item.split(": ", 1)[0] for item in self.created)
        order = [*KINDS, *sorted(counts.keys() - KINDS.keys())]
        named = ((counts[kind], KINDS.get(kind, (kind, kind))) for kind in order if kind in counts)
        return ", ".join(f"{n} {one if n == 1 else many}" for n, (one, many) in named)


def _minutes(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


async def _seed_facility(order: int, spec: DemoFacility, report: SeedReport) -> None:
    facility, created = await Facility.get_or_create(
        code=spec.code,
        defaults={"name_zh": spec.name_zh, "name_en": spec.name_en, "kind": spec.kind,
                  "sort_order": order},
    )  # fmt: skip
    if created:
        report.created.append(f"hall: {spec.code}")
    for n, (code, name_zh, name_en, capacity) in enumerate(spec.resources):
        _, created = await Resource.get_or_create(
            facility=facility,
            code=code,
            defaults={"name_zh": name_zh, "name_en": name_en, "capacity": capacity,
                      "sort_order": n},
        )  # fmt: skip
        if created:
            report.created.append(f"court: {spec.code}/{code}")
    for weekday in EVERY_DAY:
        _, created = await OpeningHours.get_or_create(
            facility=facility,
            weekday=weekday,
            opens_minute=_minutes(spec.opens),
            defaults={"closes_minute": _minutes(spec.closes)},
        )
        if created:
            report.created.append(f"hours: {spec.code}/{weekday}")
    if not await BookingRules.filter(facility=facility).exists():
        await rules.default_rules(facility).save()
        report.created.append(f"rules: {spec.code}")


async def seed_demo() -> SeedReport:
    """Create whatever of the demo palace is missing; never touch what exists."""
    report = SeedReport()
    async with after_commit.transaction():
        for order, spec in enumerate(FACILITIES):
            await _seed_facility(order, spec, report)
        await demo_classes.seed_types(report.created)
    for account in ACCOUNTS:
        if await Member.filter(card_no=account.card_no).exists():
            continue
        try:
            await accounts.register(
                card_no=account.card_no,
                name=account.name,
                phone=account.phone,
                password=account.password,
                role=account.role,
            )
        except AccountError as error:
            # A real member already has this phone: leave them alone.
            report.skipped.append(f"account {account.card_no} ({', '.join(error.fields.values())})")
            continue
        report.created.append(f"account: {account.card_no}")
    await demo_classes.seed_schedules(report.created, report.skipped)
    return report
