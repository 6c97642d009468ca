"""A member's children, for whom they book places in children's classes."""

import unicodedata

from palace.models import Child, Member
from palace.services.core import after_commit, audit, clock
from palace.services.core.errors import NotFound, ServiceError

MAX_CHILDREN = 6
NAME_MAX = 40
OLDEST = 18  # years: a children's class is for children


class ChildError(ServiceError):
    pass


def _clean(raw: str) -> str:
    """A name as typed (prose, not an identifier), on one line, without control characters."""
    text = " ".join(raw.split())
    return "".join(c for c in text if not unicodedata.category(c).startswith("C"))


def _birth_year(raw: str) -> int | None:
    text = unicodedata.normalize("NFKC", raw).strip()
    if not text.isascii() or not text.isdigit() or len(text) != 4:
        return None
    year = int(text)
    this_year = clock.today().year
    return year if this_year - OLDEST <= year <= this_year else None


async def children_of(*, member_id: int) -> list[Child]:
    return await Child.filter(parent_id=member_id, active=True)


async def add(*, member_id: int, name: str, birth_year: str) -> Child:
    """Add a child; ChildError names each bad field, and too many children."""
    cleaned, year = _clean(name[:200]), _birth_year(birth_year[:20])
    errors = {}
    if not cleaned or len(cleaned) > NAME_MAX:
        errors["child_name"] = "child_name_invalid"
    if year is None:
        errors["birth_year"] = "birth_year_invalid"
    if errors:
        raise ChildError("child_invalid", fields=errors)
    assert year is not None
    async with after_commit.transaction():
        # The member's row is the lock: two quick submits cannot pass the limit together.
        await Member.filter(id=member_id).select_for_update().get()
        if await Child.filter(parent_id=member_id, active=True).count() >= MAX_CHILDREN:
            raise ChildError("too_many_children", max=MAX_CHILDREN)
        child = await Child.create(parent_id=member_id, name=cleaned, birth_year=year)
        await audit.record(actor_id=member_id, entity="child", entity_id=child.id, action="add",
                           detail={"birth_year": year})  # fmt: skip
    return child


async def remove(*, member_id: int, child_id: int) -> None:
    """Take a child off the list; their bookings stay as they are."""
    async with after_commit.transaction():
        changed = await Child.filter(id=child_id, parent_id=member_id, active=True).update(
            active=False
        )
        if not changed:
            raise NotFound("unknown_child")
        await audit.record(actor_id=member_id, entity="child", entity_id=child_id, action="remove")
