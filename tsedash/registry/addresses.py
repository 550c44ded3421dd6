"""What an instance address may be, wherever it comes from (registry, compose, Redis).

`host:port` with a host name or IPv4 address (letters, digits, '.', '-', '_'; compose service
names included) or a bracketed IPv6 address, and a port 1-65535: anything else would be
written into Prometheus' file_sd targets and scrape configuration as is.
"""

from __future__ import annotations

import re

_HOST = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,252}|\[[0-9A-Fa-f:.]{2,45}\]", re.ASCII)


def address_problem(address: str) -> str | None:
    """Why `address` is not usable as a scrape target, or None."""
    host, sep, port = address.rpartition(":")
    if not sep or not host:
        return f"address {address!r:.60} is not host:port"
    if not _HOST.fullmatch(host):
        return f"address {address!r:.60}: {host!r:.40} is not a host name or IP address"
    if not (port.isascii() and port.isdigit()) or not 1 <= int(port[:6]) <= 65535:
        return f"address {address!r:.60}: port {port!r:.10} is not a number from 1 to 65535"
    return None
