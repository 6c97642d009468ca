"""A hall's advertised hours and its bookable slots agree, or the page says where slots fall."""

import httpx

from palace.models import FacilityKind, OpeningHours
from tests.helpers import make_hall, visible_text


async def test_hours_off_the_slot_grid_show_the_bookable_slots(client: httpx.AsyncClient) -> None:
    gym = await make_hall(code="gym", kind=FacilityKind.CAPACITY, courts=1, capacity=20)
    await OpeningHours.filter(facility_id=gym.id).update(
        opens_minute=6 * 60 + 30, closes_minute=22 * 60 - 15
    )
    await make_hall(code="badminton")
    page = visible_text((await client.get("/")).text)
    assert "每天 06:30–21:45 可预约时段（按时段整点划分）： 每天 07:00–21:00" in page
    assert "每天 00:00–24:00 可预约" not in page  # on the grid: nothing to explain
