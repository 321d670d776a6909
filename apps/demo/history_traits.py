"""What drives a generated request's path and pace: its category, priority, channel and
customer tier, the loops it has been through and how late it is. The probabilities and
factors the history generator draws with (docs/analytics.md, "A history to analyse")."""

import math
import random
from dataclasses import dataclass


@dataclass(frozen=True)
class Trait:
    """A category's nature: hands-on work (a factor of the department's mean), how often the
    agent must ask the customer, whether the bot can answer it (and how often the answer is
    accepted), how often it lands in the wrong department, how often it comes back."""

    work: float = 1.0
    info: float = 0.25
    bot: float = 0.05
    accept: float = 0.4
    misrouted: float = 0.04
    reopen: float = 0.05


TRAITS = {
    "Hardware": Trait(work=1.4, info=0.45, bot=0.03, misrouted=0.05),
    "Password reset": Trait(work=0.3, info=0.05, bot=0.7, accept=0.8, reopen=0.02),
    "Invoice": Trait(work=0.9, info=0.55, bot=0.1, accept=0.3, reopen=0.06),
    "Building access": Trait(work=0.6, info=0.1, bot=0.05, misrouted=0.02),
    "Software bug": Trait(work=2.2, info=0.35, bot=0.0, misrouted=0.1, reopen=0.2),
    "General question": Trait(work=0.5, info=0.2, bot=0.5, accept=0.55, misrouted=0.5),
}
# A category the table does not know (tests make their own) and a request without a category.
DEFAULT = Trait()
UNCATEGORISED = TRAITS["General question"]
# Asking the customer: how the channel carries detail (an e-mail often lacks it, a chat asks).
CHANNEL_INFO = {"email": 1.5, "web": 1.0, "api": 0.6, "chat": 0.4}
BOT_CHANNELS = {"web": 1.0, "chat": 1.3, "email": 0.5, "api": 0.0}
# Priority 1 (critical) .. 4 (low): work done with more care for P1, a slower pickup for P4.
PRIORITY_WORK = {1: 0.8, 2: 0.9, 3: 1.0, 4: 1.2}
PICKUP_MINUTES = {1: 4.0, 2: 10.0, 3: 20.0, 4: 45.0}
TIER_PICKUP = {"platinum": 0.4, "gold": 0.7, "standard": 1.0}
TIER_REOPEN = {"platinum": 1.6, "gold": 1.2, "standard": 1.0}
# How long a customer waits in the queue before cancelling (median, business hours) by tier.
PATIENCE_HOURS = {"platinum": 6.0, "gold": 12.0, "standard": 24.0}
# Waits are log-normal: sigma of the logarithm (a median 30 min wait: P90 about 2 h).
SIGMA = 1.0


def trait_of(category) -> Trait:
    if category is None:
        return UNCATEGORISED
    return TRAITS.get(category.name, DEFAULT)


def lognormal(rng: random.Random, median: float, sigma: float = SIGMA) -> float:
    return rng.lognormvariate(math.log(max(median, 1e-3)), sigma)


def bot_proposes(request) -> float:
    return min(trait_of(request.category).bot * BOT_CHANNELS.get(request.channel, 1.0), 0.9)


def info_needed(request, loops: int) -> float:
    """The chance the agent asks the customer, after `loops` earlier questions: a first
    question by channel and category; a second one if the first answer was thin."""
    first = trait_of(request.category).info * CHANNEL_INFO.get(request.channel, 1.0)
    return min(first, 0.9) if loops == 0 else min(first * 0.6, 0.6) / loops


def reopened(request, *, tier: str, rushed: bool, loops: int) -> float:
    """The chance a resolved request comes back: by category and tier, higher when the agent
    was rushed (work queued behind it) or the customer had to be asked twice."""
    chance = trait_of(request.category).reopen * TIER_REOPEN.get(tier, 1.0)
    chance *= 2.0 if rushed else 1.0
    chance *= 1.5 if loops >= 2 else 1.0
    return min(chance, 0.6)


def work_minutes(rng: random.Random, request, mean: float, share: float = 1.0) -> float:
    """One segment of hands-on work (business minutes), log-normal around the department's
    mean, scaled by category and priority (and `share` for a shorter follow-up)."""
    scale = mean * trait_of(request.category).work * PRIORITY_WORK.get(request.priority, 1.0)
    # exp(mu + sigma^2 / 2) = mean: the median is the mean / e^(sigma^2 / 2).
    sigma = 0.8
    return lognormal(rng, scale * share / math.exp(sigma**2 / 2), sigma)


def pickup_minutes(rng: random.Random, request, tier: str) -> float:
    median = PICKUP_MINUTES.get(request.priority, 20.0) * TIER_PICKUP.get(tier, 1.0)
    return lognormal(rng, median, 0.7)
