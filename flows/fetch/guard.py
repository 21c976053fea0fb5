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

import httpx

CAP_OPTION = "--max-page-bytes"


class FetchRefused(Exception):
    """A URL reviewhouse will not fetch; never retried."""


async def check_url(url: str, allow_hosts: Iterable[str]) -> None:
    """Refuse `url` (FetchRefused, with the reason) unless reviewhouse may fetch it."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise FetchRefused(f"only http and https URLs are fetched, not {parts.scheme or 'none'}:")
    try:
        httpx.URL(url)
    except httpx.InvalidURL as error:
        raise FetchRefused(f"not a URL that can be requested: {error}") from None
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


def too_large(size: int, cap: int) -> str | None:
    """Why a page of `size` bytes is refused under `cap`, or None when it fits.

    One wording for fetched bodies (before or after decompression) and saved files.

    >>> too_large(26_214_400, 20 * 1024 * 1024)
    'page larger than the 20 MiB cap (--max-page-bytes)'
    >>> too_large(100, 100) is None
    True
    """
    if size <= cap:
        return None
    return f"page larger than the {size_text(cap)} cap ({CAP_OPTION})"


def size_text(count: int) -> str:
    """A byte count as a reader says it: `20 MiB`, `1.5 KiB`, `300 bytes`.

    >>> [size_text(n) for n in (20_971_520, 512 * 1024, 1536, 300)]
    ['20 MiB', '512 KiB', '1.5 KiB', '300 bytes']
    """
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if count >= scale:
            value = count / scale
            return f"{value:g} {unit}" if value == int(value) else f"{value:.1f} {unit}"
    return f"{count} bytes"
