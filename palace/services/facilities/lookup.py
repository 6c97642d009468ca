"""Finding a hall by id, the one place that says an unknown id is NotFound.

It sits below ``rules`` and ``facilities`` (both ask it), so neither imports the other
for it.
"""

from palace.models import Facility
from palace.services.core.errors import NotFound


async def get_facility(*, facility_id: int) -> Facility:
    facility = await Facility.get_or_none(id=facility_id)
    if facility is None:
        raise NotFound("unknown_facility")
    return facility
