"""Only the host names the palace is served under are answered; a forged Host gets 400."""

import httpx
import pytest

from palace.settings import DEFAULT_ALLOWED_HOSTS, ConfigError, _allowed_hosts


@pytest.mark.parametrize("host", ["evil.example", "testserver.evil.example", "localhost.evil"])
async def test_a_forged_host_header_is_refused(client: httpx.AsyncClient, host: str) -> None:
    for path in ("/", "/login", "/healthz", "/calendar/feed/x.ics"):
        refused = await client.get(path, headers={"Host": host})
        assert refused.status_code == 400, (path, refused.status_code)
        assert host not in refused.text
        assert refused.headers["x-frame-options"] == "DENY"  # inside the security headers


async def test_the_configured_hosts_are_answered(client: httpx.AsyncClient) -> None:
    for host in ("testserver", "127.0.0.1:8000", "LOCALHOST"):
        assert (await client.get("/login", headers={"Host": host})).status_code == 200


def test_the_default_is_this_machine_and_a_list_can_be_given(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("PALACE_ALLOWED_HOSTS")
    assert _allowed_hosts() == DEFAULT_ALLOWED_HOSTS == ("localhost", "127.0.0.1")
    monkeypatch.setenv("PALACE_ALLOWED_HOSTS", " Palace.Example.org, *.example.net ,")
    assert _allowed_hosts() == ("palace.example.org", "*.example.net")
    for wrong in ("palace.example.org:8000", "https://palace.example.org", "a*b"):
        monkeypatch.setenv("PALACE_ALLOWED_HOSTS", wrong)
        with pytest.raises(ConfigError):
            _allowed_hosts()
