"""Messages outside the app: send one delivery, and the minute sweep of due deliveries.

Thin wrappers over services/messages/deliveries: a job may run twice (a retry, the
sweep, a second worker); the delivery's claim makes a second run send nothing.
"""

import logging
from datetime import timedelta
from typing import Any

from arq import Retry

from palace.models import DeliveryStatus
from palace.services.core import clock
from palace.services.messages import deliveries

log = logging.getLogger("palace.worker")
# Longer pauses are left to the sweep rather than to a job waiting in Redis.
MAX_DEFER = timedelta(minutes=10)


async def send_delivery(ctx: dict[str, Any], delivery_id: int) -> str | None:
    delivery = await deliveries.attempt(delivery_id=delivery_id)
    if delivery is None or delivery.status != DeliveryStatus.FAILED or not delivery.next_attempt_at:
        return None if delivery is None else delivery.status.value
    wait = clock.utc(delivery.next_attempt_at) - clock.now()
    if wait > MAX_DEFER:
        return delivery.status.value
    raise Retry(defer=max(wait, timedelta(0)))


async def sweep_deliveries(ctx: dict[str, Any]) -> int:
    sent = await deliveries.sweep()
    if sent:
        log.info("delivery sweep: %d sent", sent)
    return sent
