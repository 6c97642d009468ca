"""Members say which class they want and when ("I want this class"); staff count it."""

from dataclasses import dataclass

from palace.models import ClassDemand, ClassType, DayPart
from palace.services.core import audit
from palace.services.core.errors import NotFound, ServiceError

WEEKDAY_TEXT = {str(day) for day in range(7)}


@dataclass(frozen=True)
class DemandForm:
    class_types: list[ClassType]
    mine: list[ClassDemand]  # with class_type


async def form(*, member_id: int) -> DemandForm:
    mine = await ClassDemand.filter(member_id=member_id).select_related("class_type")
    return DemandForm(await ClassType.filter(active=True), mine)


async def want(
    *, member_id: int, class_type_id: int | None, days: list[str], day_part: str
) -> ClassDemand:
    """Record (or update) the member's wish for a class type, days and time of day."""
    wanted_days = sorted({int(d) for d in days if d in WEEKDAY_TEXT})
    part = day_part if day_part in {p.value for p in DayPart} else None
    if class_type_id is None or part is None:
        raise ServiceError("demand_invalid")
    if not await ClassType.exists(id=class_type_id, active=True):
        raise ServiceError("demand_invalid")
    row, _made = await ClassDemand.update_or_create(
        member_id=member_id,
        class_type_id=class_type_id,
        defaults={"days": ",".join(map(str, wanted_days)), "day_part": DayPart(part)},
    )
    await audit.record(actor_id=member_id, entity="class_demand", entity_id=row.id, action="want",
                       detail={"class_type_id": class_type_id, "days": row.days,
                               "day_part": part})  # fmt: skip
    return row


async def withdraw(*, member_id: int, demand_id: int) -> None:
    if not await ClassDemand.filter(id=demand_id, member_id=member_id).delete():
        raise NotFound("demand_invalid")
