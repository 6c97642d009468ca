import httpx

from palace.models import Role
from tests.helpers import log_in, make_member


async def test_desk_finds_a_member_by_card_phone_or_name(client: httpx.AsyncClient) -> None:
    await log_in(client, await make_member(role=Role.DESK))
    member = await make_member(name="孙丽")
    for query in (member.card_no, member.phone, "孙丽"):
        response = await client.get("/desk", params={"q": query})
        assert "孙丽" in response.text, query
    # The phone number is shown masked at the desk.
    assert member.phone not in response.text
    assert f"{member.phone[:3]}****{member.phone[-4:]}" in response.text


async def test_desk_search_as_a_fragment_for_htmx(client: httpx.AsyncClient) -> None:
    await log_in(client, await make_member(role=Role.DESK))
    response = await client.get("/desk", params={"q": "99999999"}, headers={"HX-Request": "true"})
    assert response.text.lstrip().startswith('<section id="results">')
    assert "<html" not in response.text
    assert "没有找到" in response.text
