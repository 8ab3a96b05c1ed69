"""A tap between the worker and Keycloak, to kill the worker at an exact point of one Keycloak call."""

from __future__ import annotations

import socket
import threading
from typing import Callable

class KeycloakTap:
    """A TCP proxy in front of Keycloak that follows the HTTP requests passing through it.

    Point the worker's BRIDGE_KEYCLOAK_URL at `url`. `arm(marker, moment, action)` picks the next
    request whose request line contains `marker`; `action(request_line)` then runs (e.g. kill -9 the
    worker) either once the whole request has been handed to Keycloak ("sent": Keycloak is working
    on it) or once Keycloak's answer arrives ("answered": the answer is dropped, the worker never
    sees it). When the worker's side closes, Keycloak's side is closed too, as a dead client's would be.
    """

    def __init__(self, upstream_port: int):
        self.upstream = ("127.0.0.1", upstream_port)
        self._server = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._server.getsockname()[1]}"
        self._armed: tuple[bytes, str, Callable[[str], None]] | None = None
        self._lock = threading.Lock()
        self.fired = threading.Event()
        self.fired_request = ""
        self._closing = False
        threading.Thread(target=self._accept, daemon=True, name="keycloak-tap").start()

    def arm(self, marker: bytes, moment: str, action: Callable[[str], None]) -> None:
        assert moment in ("sent", "answered")
        with self._lock:
            self.fired.clear()
            self._armed = (marker, moment, action)

    def close(self) -> None:
        self._closing = True
        self._server.close()

    def _accept(self) -> None:
        while not self._closing:
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.upstream, timeout=10)
                upstream.settimeout(None)
            except OSError:
                client.close()
                continue
            connection = {"hold": None}
            threading.Thread(target=self._requests, args=(client, upstream, connection), daemon=True).start()
            threading.Thread(target=self._answers, args=(upstream, client, connection), daemon=True).start()

    def _fire(self, request_line: str, action: Callable[[str], None]) -> None:
        self.fired_request = request_line
        try:
            action(request_line)
        finally:
            self.fired.set()

    def _requests(self, client, upstream, connection) -> None:
        """Worker → Keycloak: forward everything, and notice where each request ends."""
        buffer, body_left, current = b"", 0, None
        try:
            while chunk := client.recv(65536):
                upstream.sendall(chunk)
                buffer += chunk
                while True:
                    if current is None:
                        end = buffer.find(b"\r\n\r\n")
                        if end < 0:
                            break
                        head, buffer = buffer[:end].decode("latin-1"), buffer[end + 4:]
                        current = head.split("\r\n", 1)[0]
                        body_left = next((int(line.split(":", 1)[1]) for line in head.split("\r\n")[1:]
                                          if line.lower().startswith("content-length:")), 0)
                    taken = min(body_left, len(buffer))
                    buffer, body_left = buffer[taken:], body_left - taken
                    if body_left:
                        break
                    self._request_complete(current, connection)
                    current = None
        except OSError:
            pass
        finally:
            self._close(client, upstream)

    def _request_complete(self, request_line: str, connection) -> None:
        with self._lock:
            armed = self._armed
            if armed is None or armed[0].decode() not in request_line:
                return
            self._armed = None
        _, moment, action = armed
        if moment == "sent":
            self._fire(request_line, action)
        else:
            connection["hold"] = (request_line, action)

    def _answers(self, upstream, client, connection) -> None:
        """Keycloak → worker: forward, unless this connection's answer is to be dropped."""
        try:
            while chunk := upstream.recv(65536):
                if connection["hold"] is not None:
                    self._fire(*connection["hold"])
                    break
                client.sendall(chunk)
        except OSError:
            pass
        finally:
            self._close(client, upstream)

    @staticmethod
    def _close(*sockets) -> None:
        for sock in sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()
