"""Reading a customer's reply to a bot answer: does it say the problem is solved?

A rule, not a model: a reply says "solved" when it has a solved phrase and no phrase that
says the opposite ("not solved", "still", "didn't work"); everything else, including a plain
"thanks" or a new question, is a decline and a person takes over. Declining when unsure
costs an agent a look; accepting wrongly leaves a customer alone with the problem.
English and Chinese; the text is lower-cased and NFKC-normalised first.
"""

import re
import unicodedata

SOLVED = re.compile(
    r"\b(solved|resolved|fixed|sorted( out)?|works? (now|again|fine)|working (now|again)"
    r"|(that|this|it) (worked|helped|did it|did the trick)|problem (is )?gone|all good now"
    r"|you can close( it| this)?|please close)\b"
    r"|解决了|已解决|好了|可以了|搞定|成功了|有用|有效|问题没了|可以关闭"
)
NOT_SOLVED = re.compile(
    r"\b(not|n't|never|no longer|still|neither|nor|didn't|doesn't|isn't|wasn't|won't|can't"
    r"|cannot|unsolved|unresolved|again\?)\b|n't\b"
    r"|没|不|未|仍|还是|依然|无法"
)


def says_solved(text: str) -> bool:
    """True when the reply says the answer solved the problem (see the module)."""
    normal = unicodedata.normalize("NFKC", text).lower().replace("\u2019", "'")
    return bool(SOLVED.search(normal)) and not NOT_SOLVED.search(normal)
