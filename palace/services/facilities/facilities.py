"""Facilities (halls), their bookable resources and opening hours."""

from __future__ import annotations

from dataclasses import dataclass

from palace.models import Facility, OpeningHours, Resource
from palace.services.core.errors import NotFound
from palace.services.facilities import rules


@dataclass(frozen=True)
class FacilityView:
    facility: Facility
    resources: list[Resource]
    hours: list[OpeningHours]
    # Where the bookable slots fall, when that differs from the opening hours.
    slot_hours: list[rules.Period]


async def list_facilities(*, include_inactive: bool = False) -> list[FacilityView]:
    query = Facility.all() if include_inactive else Facility.filter(active=True)
    facilities = await query.prefetch_related("resources", "opening_hours")
    return [await _view(f, include_inactive) for f in facilities]


async def _view(facility: Facility, include_inactive: bool) -> FacilityView:
    hours = sorted(facility.opening_hours, key=lambda h: (h.weekday, h.opens_minute))
    resources = [r for r in facility.resources if include_inactive or r.active]
    return FacilityView(
        facility=facility,
        resources=sorted(resources, key=lambda r: (r.sort_order, r.id)),
        hours=hours,
        slot_hours=await _slot_hours(facility, hours),
    )


async def _slot_hours(facility: Facility, hours: list[OpeningHours]) -> list[rules.Period]:
    if not rules.is_bookable(facility):
        return []
    periods = rules.slot_periods(await rules.rules_for(facility), hours)
    same = [(p.weekday, p.opens_minute, p.closes_minute) for p in periods] == [
        (h.weekday, h.opens_minute, h.closes_minute) for h in hours
    ]
    return [] if same else periods


async def get_facility(*, facility_id: int) -> Facility:
    facility = await Facility.get_or_none(id=facility_id)
    if facility is None:
        raise NotFound("unknown_facility")
    return facility
