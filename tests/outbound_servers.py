"""Real local servers that stand in for the providers messages go out through: an SMTP
server (aiosmtpd) and an HTTP server (the webhook receiver, Tencent Cloud SMS).

They run in threads of their own, so they answer while the test waits for a worker
process; ``outbound_env`` points Palace (this process and the workers it starts) at them.
"""

import contextlib
import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from palace.outbound_settings import get_outbound
from tests.processes import free_port

WEBHOOK_SECRET = "test-webhook-secret-0123456789"


@dataclass
class Mailbox:
    """What the SMTP server was given; it refuses the first ``fail`` messages (451)."""

    fail: int = 0
    received: list[tuple[list[str], EmailMessage]] = field(default_factory=list)
    refused: int = 0

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.refused < self.fail:
            self.refused += 1
            return "451 4.3.0 mailbox busy, try later"
        content = envelope.content
        raw = content if isinstance(content, bytes) else str(content).encode()
        parsed = message_from_bytes(raw, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.received.append(([str(r) for r in envelope.rcpt_tos], parsed))
        return "250 OK"


@contextlib.contextmanager
def smtp_server(mailbox: Mailbox) -> Iterator[int]:
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()


@dataclass
class Request:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


# An answer: (status, body), from the request.
Answer = Callable[[Request], tuple[int, bytes]]


@dataclass
class Receiver:
    """Records every request; answers with ``statuses`` in turn, then with ``answer``."""

    statuses: list[int] = field(default_factory=list)
    answer: Answer = lambda request: (200, b'{"ok": true}')
    requests: list[Request] = field(default_factory=list)


@contextlib.contextmanager
def http_server(receiver: Receiver) -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            request = Request(self.path, dict(self.headers.items()), self.rfile.read(length))
            receiver.requests.append(request)
            status, body = (
                (receiver.statuses.pop(0), b"busy")
                if receiver.statuses
                else receiver.answer(request)
            )
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def outbound_env(monkeypatch: pytest.MonkeyPatch, **values: str) -> None:
    """Set PALACE_<NAME> variables for this process and the processes it starts."""
    for name, value in values.items():
        monkeypatch.setenv(f"PALACE_{name.upper()}", value)
    get_outbound.cache_clear()


@pytest.fixture(autouse=True)
def fresh_outbound() -> Iterator[None]:
    """Each test reads the channels' settings afresh (they are cached per process)."""
    get_outbound.cache_clear()
    yield
    get_outbound.cache_clear()
