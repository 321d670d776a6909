"""Words of a comment for theme finding: jieba for Chinese, plain words for the rest."""

import logging
import re
import unicodedata
from functools import cache

CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_RUN = re.compile(rf"[{CJK}]+")
_WORD = re.compile(rf"[{CJK}]+|[^\W\d_]{{2,}}")

# Function words and desk words that every comment shares, so they name no theme.
_CHINESE_STOP_WORDS = (
    "的 了 是 我 你 他 她 我们 很 都 也 在 就 不 有 和 与 吗 呢 吧 啊 这 那 这个 那个 一个 "
    "还 又 把 被 给 让 对 到 说 要 会 能 可以 没有 没 非常 太 真 挺 比较 就是 但是 还是 "
    "而且 所以 因为 如果 已经 谢谢 感谢 问题 客服 服务"
)
CHINESE_STOP_WORDS = frozenset(_CHINESE_STOP_WORDS.split(" "))
DESK_STOP_WORDS = frozenset({"thanks", "thank", "service", "support", "request", "issue", "ticket"})


def has_chinese(text: str, *, share: float = 0.2) -> bool:
    """True when at least `share` of the letters are Chinese characters."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return False
    return sum(1 for c in letters if _CJK_RUN.match(c)) / len(letters) >= share


@cache
def _stop_words() -> frozenset[str]:
    # scikit-learn's English list; imported on first use, not when the admin loads this module.
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return ENGLISH_STOP_WORDS | CHINESE_STOP_WORDS | DESK_STOP_WORDS


@cache
def _jieba():
    import jieba  # loads its dictionary on first use only

    jieba.setLogLevel(logging.WARNING)
    return jieba


def words(text: str) -> list[str]:
    """Lower-case words of `text` without stop words; Chinese runs segmented by jieba."""
    text = unicodedata.normalize("NFKC", text).lower()
    out = []
    for token in _WORD.findall(text):
        if _CJK_RUN.fullmatch(token):
            out.extend(w for w in _jieba().lcut(token) if w.strip())
        else:
            out.append(token)
    stop_words = _stop_words()
    return [w for w in out if w not in stop_words and not (len(w) == 1 and _CJK_RUN.match(w))]
