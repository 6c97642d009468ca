"""What follows a web request into the jobs it queues: the request id, written on every
log line made while serving the request or running those jobs; and, in a worker, the job
being run and when it was queued (the commit that recorded its work).

A reverse proxy may send its own id (``X-Request-ID``) so its access log and ours
agree; one that is not well formed is replaced, since it ends up in every log line.
"""

import logging
import re
import secrets
from contextvars import ContextVar
from datetime import datetime

HEADER = "x-request-id"
# A proxy's UUID or hex id, at most 128 characters; nothing that could break a log line.
WELL_FORMED = re.compile(r"[A-Za-z0-9._:-]{8,128}")

# The request (or, in a worker, the request whose job this is); None outside both.
current: ContextVar[str | None] = ContextVar("palace_request_id", default=None)
# The arq job id being run in a worker process; None elsewhere.
job: ContextVar[str | None] = ContextVar("palace_job_id", default=None)
# When the request being served reached the app (the web's outermost middleware sets
# it): a rush that keeps a request waiting does not make it late (opening queues).
arrived: ContextVar[datetime | None] = ContextVar("palace_request_arrived", default=None)
# When that job was queued: right after the commit of the work it does.
job_queued_at: ContextVar[datetime | None] = ContextVar("palace_job_queued_at", default=None)


def accept(value: str | None) -> str:
    """The proxy's id when it is well formed, else a new one."""
    if value and WELL_FORMED.fullmatch(value):
        return value
    return secrets.token_hex(16)


def install_log_records() -> None:
    """Every log record made from now on carries ``request_id`` and ``job_id`` (or None)."""
    base = logging.getLogRecordFactory()
    if getattr(base, "palace_ids", False):
        return

    def make(*args: object, **kwargs: object) -> logging.LogRecord:
        record = base(*args, **kwargs)
        record.request_id = current.get()
        record.job_id = job.get()
        return record

    make.palace_ids = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(make)
