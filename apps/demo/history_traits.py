"""What drives a generated request's path and pace: its category, priority, channel and
customer tier, the loops it has been through, how late it is and how busy its agent is. The
probabilities and factors the history generator draws with (docs/analytics.md, "A history to
analyse")."""

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
    "Hardware": Trait(work=1.4, info=0.55, bot=0.03, misrouted=0.05),
    "Password reset": Trait(work=0.3, info=0.02, bot=0.7, accept=0.8, reopen=0.02),
    "Invoice": Trait(work=0.9, info=0.65, bot=0.1, accept=0.3, reopen=0.06),
    "Building access": Trait(work=0.6, info=0.05, bot=0.05, misrouted=0.02),
    "Software bug": Trait(work=2.2, info=0.5, bot=0.0, misrouted=0.1, reopen=0.2),
    "General question": Trait(work=0.5, info=0.1, bot=0.5, accept=0.55, misrouted=0.3),
}
# A category the table does not know (tests make their own) and a request without a category.
DEFAULT = Trait()
UNCATEGORISED = TRAITS["General question"]
# Asking the customer, by channel: an e-mail often lacks the detail, a chat has asked for it
# already in the conversation, an API caller (a monitoring system) sends structured fields.
CHANNEL_INFO = {"email": 2.0, "web": 1.5, "api": 0.3, "chat": 0.15}
# ... and by priority: on a critical request the agent works with what they have (a call, a
# workaround first) rather than write and wait; a low one waits for the detail.
PRIORITY_INFO = {1: 0.1, 2: 0.4, 3: 1.0, 4: 1.4}
# A second question when the first answer was thin: mostly an e-mail's (answered between other
# mails, half of the question unread); a chat or an API caller answered it in full.
CHANNEL_THIN = {"email": 0.8, "web": 0.3, "api": 0.1, "chat": 0.1}
BOT_CHANNELS = {"web": 1.3, "chat": 1.4, "email": 0.3, "api": 0.0}
# A customer with an urgent problem wants a person, not the bot's article.
PRIORITY_ACCEPT = {1: 0.2, 2: 0.5, 3: 1.0, 4: 1.3}
# Landing in the wrong department, by channel: an e-mail is categorised from its text (by the
# intake rules), a web form by the customer's own pick, a chat by the bot's questions, an API
# caller names its category.
CHANNEL_MISROUTED = {"email": 2.0, "web": 1.0, "chat": 0.5, "api": 0.3}
# Priority 1 (critical) .. 4 (low): a critical request gets a workaround first (shorter hands-on
# work), a low one is done thoroughly; a slower pickup for P4.
PRIORITY_WORK = {1: 0.8, 2: 0.9, 3: 1.0, 4: 1.2}
PICKUP_MINUTES = {1: 4.0, 2: 10.0, 3: 20.0, 4: 45.0}
TIER_PICKUP = {"platinum": 0.4, "gold": 0.7, "standard": 1.0}
TIER_REOPEN = {"platinum": 1.6, "gold": 1.2, "standard": 1.0}
# The customer's reply to a question (median minutes, later the more questions they have had).
REPLY_MINUTES = 180.0
# How long a customer waits in the queue before cancelling (median, business hours) by tier.
PATIENCE_HOURS = {"platinum": 6.0, "gold": 12.0, "standard": 24.0}
# Waits are log-normal: sigma of the logarithm (a median 30 min wait: P90 about 2 h).
SIGMA = 1.0
# The hands-on work varies less than a wait: its category and priority set most of it (a median
# 60 min of work: P90 about 1 h 40); a customer's reply less than the old 1.2 (P90 about 2.8
# times the median, where 1.2 made it 4.7 times: a reply a week late is a reminder, not a wait).
WORK_SIGMA = 0.4
REPLY_SIGMA = 0.8


def trait_of(category) -> Trait:
    if category is None:
        return UNCATEGORISED
    return TRAITS.get(category.name, DEFAULT)


def lognormal(rng: random.Random, median: float, sigma: float = SIGMA) -> float:
    return rng.lognormvariate(math.log(max(median, 1e-3)), sigma)


def bot_proposes(request) -> float:
    return min(trait_of(request.category).bot * BOT_CHANNELS.get(request.channel, 1.0), 0.9)


def bot_accepted(request) -> float:
    """The chance the customer takes the bot's answer: by category and priority."""
    chance = trait_of(request.category).accept * PRIORITY_ACCEPT.get(request.priority, 1.0)
    return min(chance, 0.9)


def misrouted(request) -> float:
    """The chance the request landed in the wrong department: by category and channel."""
    chance = trait_of(request.category).misrouted * CHANNEL_MISROUTED.get(request.channel, 1.0)
    return min(chance, 0.8)


def info_needed(request, loops: int) -> float:
    """The chance the agent asks the customer, after `loops` earlier questions: a first
    question by category, channel and priority; a second one if the first answer was thin."""
    first = trait_of(request.category).info * CHANNEL_INFO.get(request.channel, 1.0)
    first *= PRIORITY_INFO.get(request.priority, 1.0)
    if loops == 0:
        return min(first, 0.95)
    return min(first * CHANNEL_THIN.get(request.channel, 0.3), 0.75) / loops


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
    return lognormal(rng, scale * share / math.exp(WORK_SIGMA**2 / 2), WORK_SIGMA)


def reply_minutes(rng: random.Random, loops: int) -> float:
    """How long the customer takes to answer a question (minutes), later the more questions
    they have had."""
    return lognormal(rng, REPLY_MINUTES * (1 + loops), REPLY_SIGMA)


def pickup_minutes(rng: random.Random, request, tier: str) -> float:
    median = PICKUP_MINUTES.get(request.priority, 20.0) * TIER_PICKUP.get(tier, 1.0)
    return lognormal(rng, median, 0.7)
