from datetime import UTC, datetime, timedelta

from palace.models import LoginSession
from palace.services.accounts import logins
from tests.helpers import make_member


async def test_purge_forgets_only_sessions_long_gone() -> None:
    member = await make_member()
    live = await logins.start(member_id=member.id)
    recently_ended = await logins.start(member_id=member.id)
    await logins.end(token=recently_ended)
    old = await logins.start(member_id=member.id)
    await logins.end(token=old)
    long_ago = datetime.now(UTC) - timedelta(days=60)
    await LoginSession.filter(id=logins._key(old)).update(ended_at=long_ago)
    assert await logins.purge() == 1
    assert await logins.resolve(token=live) is not None
    assert await LoginSession.filter(member_id=member.id).count() == 2


async def test_a_session_expires_after_two_weeks() -> None:
    member = await make_member()
    token = await logins.start(member_id=member.id)
    old = datetime.now(UTC) - logins.MAX_AGE - timedelta(minutes=1)
    await LoginSession.filter(id=logins._key(token)).update(created_at=old)
    assert await logins.resolve(token=token) is None
