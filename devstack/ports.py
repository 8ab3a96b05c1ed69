"""Free TCP ports on 127.0.0.1 for tests that start real servers."""

import socket


def free_ports(count: int = 1) -> list[int]:
    """Return distinct ports that the OS reported free on 127.0.0.1 a moment ago."""
    sockets = []
    try:
        # Keep every socket bound until all are picked, so the OS cannot hand out one port twice.
        for _ in range(count):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sockets.append(sock)
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()
