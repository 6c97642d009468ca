"""Prose is kept as typed, full-width punctuation included; identifiers are normalised."""

import httpx

from palace.models import Closure, Member, Role
from tests.helpers import log_in, make_hall, make_member, post_form, visible_text
from tests.web.test_closures import closure_form


async def test_a_closure_reason_keeps_its_chinese_punctuation(client: httpx.AsyncClient) -> None:
    hall = await make_hall()
    await log_in(client, await make_member(role=Role.STAFF))
    path = f"/staff/facilities/{hall.id}/closures"
    reason = "场地维修：更换地胶（约两天）"
    form = {**closure_form(reason=f"  {reason}\x00 "), "confirmed": "1"}
    assert (await post_form(client, path, form, page=path)).status_code == 303
    assert (await Closure.get()).reason == reason
    assert reason in visible_text((await client.get(path)).text)


async def test_a_name_is_kept_and_a_card_number_is_normalised(client: httpx.AsyncClient) -> None:
    form = {
        "card_no": "ｔ２０２６ ００９９",
        "name": "欧阳  明（小明）\x00",
        "phone": "１３９ ０００１ ２２３３",
        "password": "spring-rain-7",
    }
    assert (await post_form(client, "/register", form, page="/register")).status_code == 303
    member = await Member.get()
    assert (member.card_no, member.phone) == ("T20260099", "13900012233")
    assert member.name == "欧阳 明（小明）"
    assert "欧阳 明（小明）" in visible_text((await client.get("/account")).text)
