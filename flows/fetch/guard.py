"""Which addresses reviewhouse may fetch from.

Only http and https. A host that resolves to a private, loopback, link-local (cloud metadata
lives at 169.254.169.254), multicast or otherwise reserved address is refused unless the
allow-list names it (`--allow-host 127.0.0.1` for local servers). Every redirect target is
checked the same way before it is followed.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable
from urllib.parse import urlsplit


class FetchRefused(Exception):
    """A URL reviewhouse will not fetch; never retried."""


async def check_url(url: str, allow_hosts: Iterable[str]) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise FetchRefused(f"only http and https URLs are fetched, not {parts.scheme or 'none'}:")
    host = (parts.hostname or "").lower()
    if not host:
        raise FetchRefused("URL has no host")
    allowed = {name.lower().strip("[]") for name in allow_hosts}
    if host in allowed:
        return
    for address in await _addresses(host, parts.port):
        if str(address) in allowed:
            continue
        if _is_internal(address):
            raise FetchRefused(
                f"{host} resolves to {address}, a private or internal address "
                "(allow it with --allow-host)"
            )


def _is_internal(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


async def _addresses(
    host: str, port: int | None
) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port or 443, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise FetchRefused(f"cannot resolve {host}: {error.strerror}") from None
    return [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]
