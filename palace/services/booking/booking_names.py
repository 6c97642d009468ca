"""How a booking, a place in a line or a message names what it is for: the one place
that decides, for members' pages, the desk, staff and messages alike.

A court or gym hour is named by its hall and court ("羽毛球馆 · 1号场"); a place in a
class by the class ("瑜伽"), and a child's place by the class and the child ("少儿美术 ·
小明"). A class's room is not its name: it is one of the class's facts, and a room
named like its hall would read twice ("多功能厅 · 多功能厅").

The names come back as plain text (a child's name as typed): templates escape it, and
messages put it in as a parameter, never through a translation.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from palace.models import Booking, Child, ClassSession, ClassType, Facility, Resource


class ClassNamed(Protocol):
    """A class type, loaded or as a card's facts (booking_cards.ClassFacts)."""

    def name(self, lang: str) -> str: ...


class Person(Protocol):
    """A child, loaded or as a card's facts: named as typed."""

    @property
    def name(self) -> str: ...


def place_name(
    lang: str,
    *,
    class_type: ClassNamed | None = None,
    child: Person | None = None,
    facility: Facility | None = None,
    resource: Resource | None = None,
) -> str:
    """The name of a booking or a slot: its ``class_type`` when it is a class session
    (with the ``child`` when the place is, or would be, a child's), else its hall
    (``facility``) and court or room (``resource``), which must then be given."""
    if class_type is not None:
        name = class_type.name(lang)
        return f"{name} · {child.name}" if child is not None else name
    if facility is None or resource is None:
        raise ValueError("a place that is not a class is named by its hall and court")
    return f"{facility.name(lang)} · {resource.name(lang)}"


@dataclass(frozen=True)
class Named:
    """What one booking is for, ready to be named in any language: ``named(lang)``."""

    facility: Facility
    resource: Resource
    class_type: ClassType | None = None
    child: Child | None = None

    def __call__(self, lang: str) -> str:
        return place_name(
            lang,
            class_type=self.class_type,
            child=self.child,
            facility=self.facility,
            resource=self.resource,
        )


async def names_of(bookings: Sequence[Booking]) -> dict[int, Named]:
    """Each booking's name by id (``facility`` and ``resource`` loaded): two queries for
    the lot, and none when no booking is a class's."""
    slot_ids = [b.slot_id for b in bookings]
    sessions = (
        await ClassSession.filter(slot_id__in=slot_ids).select_related("class_type")
        if slot_ids
        else []
    )
    class_of = {s.slot_id: s.class_type for s in sessions}
    child_ids = [b.child_id for b in bookings if b.child_id is not None]
    children = {c.id: c for c in await Child.filter(id__in=child_ids)} if child_ids else {}
    return {
        b.id: Named(
            b.facility,
            b.resource,
            class_of.get(b.slot_id),
            children.get(b.child_id) if b.child_id is not None else None,
        )
        for b in bookings
    }
