"""Every server the test stack starts listens on 127.0.0.1 only (read from the kernel's socket table)."""

from __future__ import annotations

from pathlib import Path

from devstack.settings import TEST_PORTS

LISTEN = "0A"


def listeners() -> dict[int, set[str]]:
    """Listening TCP ports and the addresses (kernel hex notation) they are bound to."""
    found: dict[int, set[str]] = {}
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            address, port = fields[1].split(":")
            if fields[3] == LISTEN:
                found.setdefault(int(port, 16), set()).add(address)
    return found


def test_every_test_server_listens_on_loopback_only(keycloak, mailcatcher, bridge_server, portal):
    ports = [TEST_PORTS.keycloak, TEST_PORTS.keycloak_management, TEST_PORTS.smtp, TEST_PORTS.mail_http,
             TEST_PORTS.bridge, TEST_PORTS.portal]
    table = listeners()
    loopback = {"0100007F", "0000000000000000FFFF00000100007F"}  # 127.0.0.1 and ::ffff:127.0.0.1
    for port in ports:
        assert port in table, f"nothing listens on {port}"
        assert table[port] <= loopback, f"port {port} is bound to {table[port]}"
