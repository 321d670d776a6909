"""Routing decisions as plain functions: which rule matches a request, which agent takes it.

No database here: callers load rules and candidates, these functions decide and explain why.
"""

import re
from dataclasses import dataclass, field
from datetime import datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

MANUAL, ROUND_ROBIN, LEAST_LOADED, SKILLS = "manual", "round_robin", "least_loaded", "skills"


@dataclass(frozen=True)
class RequestFacts:
    """What rules look at."""

    subject: str
    description: str
    category_id: int | None
    channel: str
    tier: str
    language: str
    at: datetime


@dataclass(frozen=True)
class Rule:
    id: int
    name: str
    category_ids: frozenset[int] = frozenset()
    keywords: tuple[str, ...] = ()
    pattern: str = ""
    channels: frozenset[str] = frozenset()
    tiers: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset()
    active_from: time | None = None
    active_until: time | None = None
    time_zone: str = "UTC"
    department_id: int | None = None
    priority: int | None = None
    raise_priority: bool = False
    tags: tuple[str, ...] = ()
    required_skills: dict = field(default_factory=dict)
    requires_approval: bool = False
    approver_group_id: int | None = None

    def matches(self, facts: RequestFacts) -> bool:
        checks = (
            not self.category_ids or facts.category_id in self.category_ids,
            not self.channels or facts.channel in self.channels,
            not self.tiers or facts.tier in self.tiers,
            not self.languages or facts.language in self.languages,
            not self.keywords or any(_has_word(facts, k) for k in self.keywords),
            not self.pattern or _has_pattern(facts, self.pattern),
            self._in_hours(facts.at),
        )
        return all(checks)

    def _in_hours(self, at: datetime) -> bool:
        if self.active_from is None or self.active_until is None:
            return True
        try:
            now = at.astimezone(ZoneInfo(self.time_zone)).time()
        except (ZoneInfoNotFoundError, ValueError):
            return False  # like a bad pattern: a rule saved with an unknown zone never matches
        if self.active_from <= self.active_until:
            return self.active_from <= now < self.active_until
        return now >= self.active_from or now < self.active_until  # over midnight


def first_match(rules: list[Rule], facts: RequestFacts) -> Rule | None:
    """The first rule, in the given order, whose conditions all hold."""
    return next((rule for rule in rules if rule.matches(facts)), None)


def _text(facts: RequestFacts) -> str:
    return f"{facts.subject}\n{facts.description}".casefold()


# Scripts whose words run into their neighbours: Chinese, Japanese, Thai, Lao, Khmer, and Korean
# (particles attach to the noun).
_UNSPACED = (
    "\u0e00-\u0eff\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
)
# A letter or digit that would make a keyword part of a longer word ("vpn" in "vpnclient"); a
# character of an unspaced script does not ("VPN" in "VPN连不上").
_JOINS = rf"[^\W{_UNSPACED}]"


def _has_word(facts: RequestFacts, keyword: str) -> bool:
    word = keyword.strip().casefold()
    if not word:
        return False
    if re.search(f"[{_UNSPACED}]", word):
        return word in _text(facts)  # no spaces to find a word's end by: a plain substring
    return re.search(rf"(?<!{_JOINS}){re.escape(word)}(?!{_JOINS})", _text(facts)) is not None


def _has_pattern(facts: RequestFacts, pattern: str) -> bool:
    try:
        return (
            re.search(pattern, f"{facts.subject}\n{facts.description}", re.IGNORECASE) is not None
        )
    except re.error:
        return False  # a rule saved with a bad pattern never matches rather than failing


@dataclass(frozen=True)
class Candidate:
    """An available agent of the department, with their open load and skills."""

    agent_id: int
    name: str
    load: int
    capacity: int
    skills: dict = field(default_factory=dict)
    last_assigned_at: datetime | None = None

    def as_dict(self) -> dict:
        return {
            "agent": self.agent_id,
            "name": self.name,
            "load": self.load,
            "capacity": self.capacity,
            "skills": self.skills,
        }


@dataclass(frozen=True)
class Choice:
    agent_id: int | None
    strategy: str
    reason: str
    considered: list[dict]


def choose_agent(
    strategy: str, candidates: list[Candidate], required_skills: dict | None = None
) -> Choice:
    """Pick the agent under `strategy` among available candidates; agents at capacity never.

    round_robin: the one assigned longest ago; least_loaded: the lowest share of capacity in
    use; skills: among those holding every required skill at its level, the least loaded.
    """
    considered = [c.as_dict() for c in candidates]
    if strategy == MANUAL:
        return Choice(None, strategy, "manual: agents take requests from the queue", considered)
    fits = [c for c in candidates if c.load < c.capacity]
    required = required_skills or {}
    if strategy == SKILLS and required:
        fits = [
            c for c in fits if all(c.skills.get(s, 0) >= level for s, level in required.items())
        ]
    if not fits:
        return Choice(
            None,
            strategy,
            "no available agent under capacity"
            + (" with the required skills" if strategy == SKILLS and required else ""),
            considered,
        )
    if strategy == ROUND_ROBIN:
        chosen = min(fits, key=_longest_waiting)
        why = "round robin: assigned longest ago"
    else:
        chosen = min(fits, key=lambda c: (c.load / c.capacity, c.load, *_longest_waiting(c)))
        why = (f"skills {required}: " if strategy == SKILLS and required else "") + (
            f"least loaded ({chosen.load}/{chosen.capacity})"
        )
    return Choice(chosen.agent_id, strategy, why, considered)


def _longest_waiting(c: Candidate) -> tuple:
    never = c.last_assigned_at is None
    return (not never, c.last_assigned_at or datetime.min, c.agent_id)
