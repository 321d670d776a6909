"""Routing rules and assignment strategies as plain functions: which rule, which agent, and why."""

from dataclasses import replace
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from apps.routing.decisions import (
    LEAST_LOADED,
    MANUAL,
    ROUND_ROBIN,
    SKILLS,
    Candidate,
    RequestFacts,
    Rule,
    choose_agent,
    first_match,
)

NOON = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)  # a Monday


def facts(**changes) -> RequestFacts:
    base = RequestFacts(
        subject="Printer jammed",
        description="",
        category_id=7,
        channel="email",
        tier="gold",
        language="en",
        at=NOON,
    )
    return replace(base, **changes)


def rule(**conditions) -> Rule:
    return Rule(id=conditions.pop("id", 1), name=conditions.pop("name", "r"), **conditions)


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, 2, hour, minute, tzinfo=UTC)


# --- conditions, one at a time -------------------------------------------------------------


def test_a_rule_without_conditions_matches_anything():
    assert rule().matches(facts())
    assert rule().matches(facts(subject="", category_id=None, channel="", tier="", language=""))


def test_category():
    assert rule(category_ids=frozenset({7, 8})).matches(facts())
    assert not rule(category_ids=frozenset({8})).matches(facts())
    assert not rule(category_ids=frozenset({8})).matches(facts(category_id=None))


@pytest.mark.parametrize(
    ("keyword", "subject", "description", "expected"),
    [
        ("VPN", "vpn down", "", True),
        ("vpn", "My VPN is down", "", True),
        ("vpn", "", "since this morning:\nVPN.", True),
        ("vpn", "vpnclient crashes", "", False),
        ("vpn", "openvpn crashes", "", False),
        ("vpn", "my_vpn crashes", "", False),
        ("vpn", "vpn2 crashes", "", False),
        ("wifi", "wi-fi is slow", "", False),
        ("wi-fi", "The Wi-Fi is slow", "", True),
        ("password reset", "Please: password reset!", "", True),
        ("password reset", "password resets", "", False),
        ("  vpn  ", "vpn down", "", True),
        ("", "anything", "", False),
        ("   ", "anything", "", False),
        # English words inside Chinese text, where no space separates them.
        ("vpn", "VPN连不上", "", True),
        ("vpn", "我的vpn坏了", "", True),
        # Chinese: no spaces between words, so a substring.
        ("打印机", "打印机坏了", "", True),
        ("打印机", "", "三楼的彩色打印机卡纸", True),
        ("打印机", "扫描仪坏了", "", False),
        # Other scripts with spaces keep whole words.
        ("störung", "Netzwerk-Störung seit heute", "", True),
        ("störung", "Entstörung geplant", "", False),
        ("ДРУКАРКА", "друкарка не працює", "", True),
    ],
)
def test_keywords_are_whole_words_case_insensitive(keyword, subject, description, expected):
    assert (
        rule(keywords=(keyword,)).matches(facts(subject=subject, description=description))
        is expected
    )


def test_any_of_several_keywords_is_enough():
    wifi_or_vpn = rule(keywords=("wifi", "vpn"))
    assert wifi_or_vpn.matches(facts(subject="wifi"))
    assert wifi_or_vpn.matches(facts(subject="", description="vpn"))
    assert not wifi_or_vpn.matches(facts(subject="printer"))


@pytest.mark.parametrize(
    ("pattern", "text", "expected"),
    [
        (r"invoice\s+#?\d{4,}", "About invoice #12345", True),
        (r"invoice\s+#?\d{4,}", "About invoice #12", False),
        (r"^urgent", "URGENT: server down", True),
        (r"server (down|offline)", "The mail Server OFFLINE since 9", True),
        (r"[unclosed", "[unclosed", False),  # a bad regex never matches
        (r"(?P<x", "anything", False),
    ],
)
def test_pattern_is_a_case_insensitive_search(pattern, text, expected):
    assert rule(pattern=pattern).matches(facts(subject=text)) is expected


def test_pattern_also_searches_the_description():
    assert rule(pattern=r"error 0x[0-9a-f]+").matches(facts(description="Error 0x80070005"))


def test_channel_tier_and_language():
    assert rule(channels=frozenset({"email", "chat"})).matches(facts())
    assert not rule(channels=frozenset({"web"})).matches(facts())
    assert rule(tiers=frozenset({"gold", "platinum"})).matches(facts())
    assert not rule(tiers=frozenset({"platinum"})).matches(facts())
    assert rule(languages=frozenset({"en"})).matches(facts())
    assert not rule(languages=frozenset({"zh-hans"})).matches(facts())


def test_time_of_day_window_is_half_open():
    office = rule(active_from=time(9), active_until=time(17))
    assert not office.matches(facts(at=at(8, 59)))
    assert office.matches(facts(at=at(9)))
    assert office.matches(facts(at=at(16, 59)))
    assert not office.matches(facts(at=at(17)))


def test_time_of_day_window_over_midnight():
    night = rule(active_from=time(22), active_until=time(6))
    assert night.matches(facts(at=at(22)))
    assert night.matches(facts(at=at(23, 30)))
    assert night.matches(facts(at=at(0)))
    assert night.matches(facts(at=at(5, 59)))
    assert not night.matches(facts(at=at(6)))
    assert not night.matches(facts(at=at(12)))
    assert not night.matches(facts(at=at(21, 59)))


def test_time_of_day_is_read_in_the_rules_time_zone():
    # 09:00-17:00 in Shanghai (UTC+8) is 01:00-09:00 UTC.
    shanghai = rule(active_from=time(9), active_until=time(17), time_zone="Asia/Shanghai")
    assert shanghai.matches(facts(at=at(1)))
    assert shanghai.matches(facts(at=at(8, 59)))
    assert not shanghai.matches(facts(at=at(9)))
    assert not shanghai.matches(facts(at=at(0, 59)))
    # The facts' own zone does not matter, only the instant.
    assert shanghai.matches(facts(at=at(2).astimezone(ZoneInfo("America/New_York"))))


def test_only_one_bound_means_no_time_condition():
    assert rule(active_from=time(9)).matches(facts(at=at(3)))
    assert rule(active_until=time(9)).matches(facts(at=at(12)))


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "", "../etc/passwd"])
def test_an_unknown_time_zone_never_matches_rather_than_failing(zone):
    bad = rule(active_from=time(0), active_until=time(23, 59), time_zone=zone)
    assert not bad.matches(facts())


def test_all_set_conditions_must_hold():
    combined = rule(
        category_ids=frozenset({7}),
        keywords=("printer",),
        pattern=r"jam",
        channels=frozenset({"email"}),
        tiers=frozenset({"gold"}),
        languages=frozenset({"en"}),
        active_from=time(8),
        active_until=time(18),
    )
    assert combined.matches(facts())
    for change in (
        {"category_id": 8},
        {"subject": "Scanner jammed"},
        {"subject": "Printer broken"},
        {"channel": "web"},
        {"tier": "standard"},
        {"language": "de"},
        {"at": at(19)},
    ):
        assert not combined.matches(facts(**change)), change


def test_first_match_respects_the_given_order():
    specific = rule(id=1, name="vpn", keywords=("vpn",))
    gold = rule(id=2, name="gold", tiers=frozenset({"gold"}))
    catch_all = rule(id=3, name="rest")
    assert first_match([specific, gold, catch_all], facts(subject="vpn down")) is specific
    assert first_match([gold, specific, catch_all], facts(subject="vpn down")) is gold
    assert first_match([specific, gold, catch_all], facts(tier="standard")) is catch_all
    assert first_match([specific, gold], facts(tier="standard")) is None
    assert first_match([], facts()) is None


# --- choosing an agent ----------------------------------------------------------------------


def agent(agent_id: int, load: int = 0, capacity: int = 5, **fields) -> Candidate:
    return Candidate(agent_id=agent_id, name=f"a{agent_id}", load=load, capacity=capacity, **fields)


def test_manual_chooses_nobody_but_lists_who_was_there():
    choice = choose_agent(MANUAL, [agent(1), agent(2)])
    assert choice.agent_id is None
    assert choice.strategy == MANUAL
    assert "manual" in choice.reason
    assert [c["agent"] for c in choice.considered] == [1, 2]


def test_round_robin_prefers_never_assigned_then_longest_ago_then_lowest_id():
    early, late = at(8), at(11)
    pool = [
        agent(1, last_assigned_at=late),
        agent(2, last_assigned_at=early),
        agent(4),
        agent(3),
    ]
    choice = choose_agent(ROUND_ROBIN, pool)
    assert choice.agent_id == 3  # never assigned, lowest id among those
    assert choice.reason == "round robin: assigned longest ago"
    assert choose_agent(ROUND_ROBIN, pool[:2]).agent_id == 2
    tied = [agent(9, last_assigned_at=early), agent(5, last_assigned_at=early)]
    assert choose_agent(ROUND_ROBIN, tied).agent_id == 5


def test_round_robin_ignores_load_below_capacity_but_skips_full_agents():
    pool = [agent(1, load=4, capacity=5), agent(2, load=0, last_assigned_at=at(8))]
    assert choose_agent(ROUND_ROBIN, pool).agent_id == 1
    pool = [agent(1, load=5, capacity=5), agent(2, load=0, last_assigned_at=at(8))]
    assert choose_agent(ROUND_ROBIN, pool).agent_id == 2


def test_least_loaded_compares_share_of_capacity():
    # 2 of 10 (20 %) is less loaded than 1 of 2 (50 %).
    pool = [agent(1, load=1, capacity=2), agent(2, load=2, capacity=10)]
    choice = choose_agent(LEAST_LOADED, pool)
    assert choice.agent_id == 2
    assert choice.reason == "least loaded (2/10)"


def test_least_loaded_ties_go_to_fewer_requests_then_longest_waiting_then_lowest_id():
    # Same share (50 %): the one with fewer requests.
    assert choose_agent(LEAST_LOADED, [agent(1, 2, 4), agent(2, 1, 2)]).agent_id == 2
    # Same load: never assigned before assigned, then assigned longest ago.
    pool = [agent(1, 1, last_assigned_at=at(8)), agent(2, 1), agent(3, 1)]
    assert choose_agent(LEAST_LOADED, pool).agent_id == 2
    pool = [agent(5, 1, last_assigned_at=at(10)), agent(6, 1, last_assigned_at=at(9))]
    assert choose_agent(LEAST_LOADED, pool).agent_id == 6


def test_skills_need_every_required_skill_at_its_level():
    pool = [
        agent(1, load=0, skills={"networking": 2}),
        agent(2, load=3, skills={"networking": 4, "vpn": 1}),
        agent(3, load=1, skills={"networking": 3, "vpn": 2}),
        agent(4, load=0, skills={"vpn": 5}),
    ]
    choice = choose_agent(SKILLS, pool, {"networking": 3, "vpn": 2})
    assert choice.agent_id == 3
    assert choice.strategy == SKILLS
    assert choice.reason.startswith("skills {'networking': 3, 'vpn': 2}: least loaded (1/5)")
    # Among several who fit, the least loaded.
    assert choose_agent(SKILLS, pool, {"networking": 3}).agent_id == 3
    assert choose_agent(SKILLS, pool, {"vpn": 1}).agent_id == 4


def test_skills_nobody_fits_gives_no_agent_and_says_why():
    pool = [agent(1, skills={"networking": 2}), agent(2, skills={})]
    choice = choose_agent(SKILLS, pool, {"networking": 3})
    assert choice.agent_id is None
    assert choice.reason == "no available agent under capacity with the required skills"
    assert len(choice.considered) == 2


def test_skills_without_required_skills_is_least_loaded():
    pool = [agent(1, load=2), agent(2, load=1)]
    for required in (None, {}):
        choice = choose_agent(SKILLS, pool, required)
        assert choice.agent_id == 2
        assert choice.reason == "least loaded (1/5)"


@pytest.mark.parametrize("strategy", [ROUND_ROBIN, LEAST_LOADED, SKILLS])
def test_agents_at_capacity_are_never_chosen(strategy):
    full = [agent(1, load=2, capacity=2), agent(2, load=3, capacity=2), agent(3, capacity=0)]
    choice = choose_agent(strategy, full)
    assert choice.agent_id is None
    assert choice.reason == "no available agent under capacity"
    assert choose_agent(strategy, [*full, agent(9, load=1, capacity=2)]).agent_id == 9


def test_skilled_agent_at_capacity_is_not_chosen():
    pool = [agent(1, load=5, skills={"sap": 5}), agent(2, load=0, skills={"sap": 1})]
    assert choose_agent(SKILLS, pool, {"sap": 3}).agent_id is None


@pytest.mark.parametrize("strategy", [MANUAL, ROUND_ROBIN, LEAST_LOADED, SKILLS])
def test_nobody_available(strategy):
    choice = choose_agent(strategy, [])
    assert choice.agent_id is None
    assert choice.considered == []


def test_considered_lists_every_candidate_with_load_capacity_and_skills():
    pool = [agent(2, load=5, skills={"vpn": 3}), agent(1, load=1, capacity=3)]
    choice = choose_agent(LEAST_LOADED, pool)
    assert choice.agent_id == 1
    assert choice.considered == [
        {"agent": 2, "name": "a2", "load": 5, "capacity": 5, "skills": {"vpn": 3}},
        {"agent": 1, "name": "a1", "load": 1, "capacity": 3, "skills": {}},
    ]
