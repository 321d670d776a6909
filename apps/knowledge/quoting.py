"""Texts a request already contains: an article whose answer the customer quotes (what they
say they have already done) is never proposed to them; and which language a text is in."""

import re
import unicodedata

WORDS_IN_A_ROW = 4  # Latin words of the answer the request must repeat in order
CJK_IN_A_ROW = 6  # or Chinese characters
STEM = 5
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_WORD = re.compile(r"[^\W_]+")


def _shingles(text: str) -> set[str]:
    normal = unicodedata.normalize("NFKC", text).lower()
    # The first five letters stand for a word, so "raised" repeats "raise".
    words = [w[:STEM] for w in _WORD.findall(_CJK.sub(" ", normal))]
    latin = {
        " ".join(words[i : i + WORDS_IN_A_ROW]) for i in range(len(words) - WORDS_IN_A_ROW + 1)
    }
    chinese = "".join(_CJK.findall(normal))
    cjk = {chinese[i : i + CJK_IN_A_ROW] for i in range(len(chinese) - CJK_IN_A_ROW + 1)}
    return latin | cjk


def quotes(request_text: str, answer: str) -> bool:
    """Whether the request repeats a run of the answer's words (4 words, compared by their
    first 5 letters, or 6 Chinese characters, in a row): the customer says they did what the
    article says."""
    return not _shingles(answer).isdisjoint(_shingles(request_text))


def text_language(text: str, default: str) -> str:
    """ "zh-hans" for a text mostly in Chinese characters, else `default` (the customer's)."""
    letters = [c for c in text if c.isalpha()]
    if letters and sum(bool(_CJK.match(c)) for c in letters) / len(letters) >= 0.3:
        return "zh-hans"
    return default
