"""Reading a response body under a size cap, decompressing it ourselves.

httpx would decompress a whole body before we could count it: a few megabytes of gzip can
hold gigabytes of zeros. Here every decompression step is given the room left under the cap
as its output limit, so memory never holds more than the cap, whatever the server sends.
Pages are refused whole past the cap; robots.txt is cut at it (RFC 9309 lets a crawler
ignore what follows its first 500 KiB).
"""

from __future__ import annotations

import zlib

import httpx

from flows.fetch.guard import too_large


class BodyRefused(Exception):
    """A body we will not keep (too large, or not decodable); the reason is the message."""


async def read_capped(response: httpx.Response, cap: int, *, cut: bool = False) -> bytes:
    """The decoded body of a streamed `response`, at most `cap` bytes.

    Past `cap` (declared, sent, or once decompressed) the body is refused with `BodyRefused`;
    with `cut`, its first `cap` bytes are returned instead and the rest is never read.
    """
    declared = response.headers.get("content-length", "")
    if not cut and declared.isdigit() and (reason := too_large(int(declared), cap)):
        raise BodyRefused(reason)
    decoder = _decoder(response.headers.get("content-encoding", ""))
    body = bytearray()
    async for chunk in response.aiter_raw():
        data = chunk
        while data:
            room = cap - len(body) + 1  # one byte past the cap tells "over" from "exactly"
            if decoder is None:
                body.extend(data if len(data) <= room else data[:room])  # slicing copies
                data = b""
            else:
                try:
                    body.extend(decoder.decompress(data, room))
                except zlib.error as error:
                    raise BodyRefused(f"body does not decompress: {error}") from None
                data = decoder.unconsumed_tail
            if len(body) > cap:
                if cut:
                    return bytes(body[:cap])
                raise BodyRefused(too_large(len(body), cap) or "")
    return bytes(body)


def _decoder(encoding: str) -> zlib._Decompress | None:
    encoding = encoding.strip().lower()
    if encoding in ("", "identity"):
        return None
    if encoding in ("gzip", "x-gzip"):
        return zlib.decompressobj(16 + zlib.MAX_WBITS)
    if encoding == "deflate":
        return zlib.decompressobj()
    raise BodyRefused(f"unsupported content-encoding {encoding}")
