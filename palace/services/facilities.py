"""Facilities (halls), their bookable resources and opening hours."""

from dataclasses import dataclass

from palace.models import Facility, OpeningHours, Resource


@dataclass(frozen=True)
class FacilityView:
    facility: Facility
    resources: list[Resource]
    hours: list[OpeningHours]


async def list_facilities(*, include_inactive: bool = False) -> list[FacilityView]:
    query = Facility.all() if include_inactive else Facility.filter(active=True)
    facilities = await query.prefetch_related("resources", "opening_hours")
    return [
        FacilityView(
            facility=f,
            resources=sorted(
                (r for r in f.resources if include_inactive or r.active),
                key=lambda r: (r.sort_order, r.id),
            ),
            hours=sorted(f.opening_hours, key=lambda h: (h.weekday, h.opens_minute)),
        )
        for f in facilities
    ]
