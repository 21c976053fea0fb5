"""robots.txt: read once per host per run, obeyed for Disallow and Crawl-delay (RFC 9309).

At most its first 500 KiB are read, decompressed under the same guard as pages (RFC 9309
lets a crawler ignore the rest): a robots.txt is the server's text, and a hostile server
can make a few megabytes of gzip into gigabytes.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from urllib.robotparser import RobotFileParser

import httpx

from flows.fetch.body import BodyRefused, read_capped
from flows.fetch.urls import host_key

MAX_ROBOTS_BYTES = 500 * 1024
ROBOTS_TIMEOUT_S = 15.0


@dataclass(frozen=True, slots=True)
class RobotsRules:
    parser: RobotFileParser
    crawl_delay_s: float | None

    def allows(self, url: str, user_agent: str) -> bool:
        return self.parser.can_fetch(user_agent, url)


class RobotsCache:
    """One robots.txt per host. 4xx means no rules; 5xx or no answer means stay out."""

    def __init__(self, client: httpx.AsyncClient, user_agent: str) -> None:
        self._client = client
        self._user_agent = user_agent
        self._rules: dict[str, RobotsRules] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def rules_for(self, url: str) -> RobotsRules:
        host = host_key(url)
        if host in self._rules:
            return self._rules[host]
        async with self._locks.setdefault(host, asyncio.Lock()):
            if host not in self._rules:
                self._rules[host] = await self._fetch(host)
        return self._rules[host]

    async def _fetch(self, host: str) -> RobotsRules:
        parser = RobotFileParser(f"{host}/robots.txt")
        try:
            body = await self._read(f"{host}/robots.txt")
        except (httpx.HTTPError, BodyRefused, TimeoutError):
            body = None
        if body is None:  # unreachable, or a body that does not decode: stay out
            parser.disallow_all = True
        elif isinstance(body, int):  # 4xx: the site publishes no rules
            parser.allow_all = True
        else:
            lines = body.decode("utf-8", "replace").splitlines()
            parser.parse(lines)
            return RobotsRules(parser, crawl_delay(lines, self._user_agent))
        return RobotsRules(parser, None)

    async def _read(self, url: str) -> bytes | int | None:
        """The first `MAX_ROBOTS_BYTES` of robots.txt; its status when 4xx; None when 5xx."""
        async with (
            asyncio.timeout(ROBOTS_TIMEOUT_S),
            self._client.stream(
                "GET", url, headers={"User-Agent": self._user_agent}, timeout=ROBOTS_TIMEOUT_S
            ) as response,
        ):
            if response.status_code >= 500:
                return None
            if response.status_code >= 400:
                return response.status_code
            body = await read_capped(response, MAX_ROBOTS_BYTES, cut=True)
        if len(body) == MAX_ROBOTS_BYTES:  # cut: a rule cut in half is no rule
            body = body[: body.rfind(b"\n") + 1]
        return body


def crawl_delay(lines: list[str], user_agent: str) -> float | None:
    """The Crawl-delay for `user_agent` (its own group first, else `*`), decimals allowed.

    The standard library's parser reads whole seconds only.

    >>> crawl_delay(["User-agent: *", "Crawl-delay: 0.5"], "reviewhouse/0.1")
    0.5
    """
    product = user_agent.split("/")[0].lower()
    delays: dict[str, float] = {}
    agents: list[str] = []
    in_rules = False
    for raw in lines:
        line = raw.split("#", 1)[0].strip()
        key, _, value = line.partition(":")
        key, value = key.strip().lower(), value.strip()
        if key == "user-agent":
            if in_rules:
                agents, in_rules = [], False
            agents.append(value.lower())
        elif key in ("allow", "disallow", "crawl-delay", "request-rate"):
            in_rules = True
            if key == "crawl-delay":
                try:
                    for agent in agents:
                        delays[agent] = float(value)
                except ValueError:
                    continue
    for agent, delay in delays.items():
        if agent != "*" and agent in product:
            return delay
    return delays.get("*")
