"""A Socket Mode endpoint on loopback: just enough WebSocket (RFC 6455) to drive `python -m bot`.

Slack hands a Socket Mode app a `wss://` URL from `apps.connections.open`; the suite's fake Web API
hands out this server's `ws://127.0.0.1:…` URL instead. The server sends envelopes as Slack does
and records every message the app sends back (its acks, with their response payloads).
"""

from __future__ import annotations

import base64
import hashlib
import json
import socket
import struct
import threading
import time
from collections.abc import Callable

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"  # RFC 6455, section 1.3


class FakeSocketMode:
    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"ws://127.0.0.1:{self._listener.getsockname()[1]}/link/?ticket=t1"
        self.received: list[dict] = []
        self.connections = 0
        self._conn: socket.socket | None = None
        self._cond = threading.Condition()
        self._send_lock = threading.Lock()
        threading.Thread(target=self._accept, name="fake-socket-mode", daemon=True).start()

    # --- the test's side -----------------------------------------------------------------------

    def wait_connected(self, timeout: float = 30.0) -> None:
        with self._cond:
            assert self._cond.wait_for(lambda: self._conn is not None, timeout), "the app never connected"

    def send(self, message: dict) -> None:
        data = json.dumps(message).encode()
        if len(data) < 126:
            header = struct.pack("!BB", 0x81, len(data))
        elif len(data) < 65536:
            header = struct.pack("!BBH", 0x81, 126, len(data))
        else:
            header = struct.pack("!BBQ", 0x81, 127, len(data))
        with self._send_lock:
            assert self._conn is not None
            self._conn.sendall(header + data)  # server frames are not masked

    def wait_for(self, match: Callable[[dict], bool], timeout: float = 10.0) -> dict:
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = next((m for m in self.received if match(m)), None)
                if found is not None:
                    return found
                remaining = deadline - time.monotonic()
                assert remaining > 0, f"no matching message from the app; got {self.received}"
                self._cond.wait(remaining)

    def close(self) -> None:
        self._listener.close()
        if self._conn is not None:
            self._conn.close()

    # --- the server ----------------------------------------------------------------------------

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        request = b""
        while b"\r\n\r\n" not in request:
            chunk = conn.recv(4096)
            if not chunk:
                return
            request += chunk
        headers = dict(
            line.split(": ", 1) for line in request.decode().split("\r\n")[1:] if ": " in line
        )  # fmt: skip
        key = next(v for k, v in headers.items() if k.lower() == "sec-websocket-key")
        accept = base64.b64encode(hashlib.sha1((key + GUID).encode()).digest()).decode()  # noqa: S324 (the protocol's hash)
        conn.sendall(
            b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + f"Sec-WebSocket-Accept: {accept}\r\n\r\n".encode()
        )
        with self._cond:
            self._conn = conn
            self.connections += 1
            self._cond.notify_all()
        buffer = b""
        try:
            while True:
                frame, buffer = self._frame(conn, buffer)
                if frame is None:
                    return
                opcode, payload = frame
                if opcode == 0x9:  # ping → pong with the same payload
                    with self._send_lock:
                        conn.sendall(struct.pack("!BB", 0x8A, len(payload)) + payload)
                elif opcode == 0x1:
                    with self._cond:
                        self.received.append(json.loads(payload))
                        self._cond.notify_all()
                elif opcode == 0x8:
                    return
        except OSError:
            return

    @staticmethod
    def _frame(conn: socket.socket, buffer: bytes) -> tuple[tuple[int, bytes] | None, bytes]:
        def need(n: int) -> bool:
            nonlocal buffer
            while len(buffer) < n:
                chunk = conn.recv(65536)
                if not chunk:
                    return False
                buffer += chunk
            return True

        if not need(2):
            return None, buffer
        opcode, length, offset = buffer[0] & 0x0F, buffer[1] & 0x7F, 2
        if length == 126:
            if not need(4):
                return None, buffer
            length, offset = struct.unpack("!H", buffer[2:4])[0], 4
        elif length == 127:
            if not need(10):
                return None, buffer
            length, offset = struct.unpack("!Q", buffer[2:10])[0], 10
        masked = buffer[1] & 0x80
        total = offset + (4 if masked else 0) + length
        if not need(total):
            return None, buffer
        data = buffer[offset + (4 if masked else 0) : total]
        if masked:
            mask = buffer[offset : offset + 4]
            data = bytes(b ^ mask[i % 4] for i, b in enumerate(data))
        return (opcode, data), buffer[total:]
