"""A real SMTP server for tests, in a thread: it accepts every message and keeps it.

A message counts as delivered once the server has read its end and answered 250. `delay`
makes the server slow to take the message (it waits before inviting the data), so a sender
can be killed in the middle of a delivery, before the message reached the server.
"""

from __future__ import annotations

import socketserver
import threading
import time
from email import message_from_bytes
from email.message import Message


class _Handler(socketserver.StreamRequestHandler):
    def _reply(self, line: str) -> None:
        self.wfile.write(f"{line}\r\n".encode())
        self.wfile.flush()

    def handle(self) -> None:
        try:
            self._converse(self.server.sink)
        except OSError:  # the sender went away mid-conversation
            return

    def _converse(self, sink: SmtpSink) -> None:
        self._reply("220 sink ready")
        while line := self.rfile.readline():
            verb = line.decode(errors="replace").strip().split(" ", 1)[0].upper()
            if verb in ("EHLO", "HELO"):
                self._reply("250 sink")
            elif verb in ("MAIL", "RCPT", "RSET", "NOOP"):
                self._reply("250 OK")
            elif verb == "DATA":
                time.sleep(sink.delay)
                self._reply("354 go ahead")
                data = bytearray()
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    data += chunk[1:] if chunk.startswith(b"..") else chunk
                if chunk == b"":  # the sender went away before the end: nothing to deliver
                    return
                sink.delivered(bytes(data))
                self._reply("250 queued")
            elif verb == "QUIT":
                self._reply("221 bye")
                return
            else:
                self._reply("502 not implemented")


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class SmtpSink:
    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        self.messages: list[Message] = []
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.sink = self
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def delivered(self, data: bytes) -> None:
        with self._lock:
            self.messages.append(message_from_bytes(data))

    def subjects(self) -> list[str]:
        with self._lock:
            return [str(m["Subject"]) for m in self.messages]

    def __enter__(self) -> SmtpSink:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()
