"""robots.txt: read once per host per run, obeyed for Disallow and Crawl-delay (RFC 9309)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from urllib.robotparser import RobotFileParser

import httpx

from flows.fetch.urls import host_key

MAX_ROBOTS_BYTES = 512 * 1024


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
            response = await self._client.get(
                f"{host}/robots.txt", headers={"User-Agent": self._user_agent}, timeout=15.0
            )
        except httpx.HTTPError:
            parser.disallow_all = True
            return RobotsRules(parser, None)
        if response.status_code >= 500:
            parser.disallow_all = True
        elif response.status_code >= 400:
            parser.allow_all = True
        else:
            lines = response.text[:MAX_ROBOTS_BYTES].splitlines()
            parser.parse(lines)
            return RobotsRules(parser, crawl_delay(lines, self._user_agent))
        return RobotsRules(parser, None)


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
