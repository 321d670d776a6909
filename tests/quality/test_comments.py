"""Sentiment and themes of comments in English and Chinese (no database, no download)."""

# ruff: noqa: RUF001 - Chinese text has full-width punctuation

from apps.quality.comments.sentiment import score_sentiment, sentiment_label
from apps.quality.comments.themes import Comment, find_themes
from apps.quality.comments.tokens import has_chinese, words


def test_sentiment_english_and_chinese():
    assert score_sentiment("Great service, fixed quickly, thank you!") > 0.5
    assert score_sentiment("Terrible, the agent was rude and nothing is solved.") < -0.3
    assert score_sentiment("服务很好，问题很快就解决了，谢谢！") > 0.5
    assert score_sentiment("客服态度很差，问题还没解决") < -0.5
    assert score_sentiment("   ") is None
    assert score_sentiment("!!!") is None


def test_sentiment_labels():
    assert [sentiment_label(s) for s in (0.6, -0.6, 0.01, None)] == [
        "positive",
        "negative",
        "neutral",
        "",
    ]


def test_words_segment_chinese_and_drop_stop_words():
    assert has_chinese("回复太慢了") and not has_chinese("slow reply")
    assert words("The reply was SLOW") == ["reply", "slow"]
    assert "等待" in words("等待时间太长了") or "等待时间" in words("等待时间太长了")
    assert "的" not in words("我的密码重置邮件")


SLOW = ["Slow response, waited three days", "Waited too long for a response", "response slow"]
FRIENDLY = ["The agent was friendly and helpful", "friendly helpful agent", "helpful friendly"]
PASSWORD = ["Password reset link did not work", "password reset failed", "reset password again"]


def test_themes_group_similar_comments():
    texts = SLOW + FRIENDLY + PASSWORD
    comments = [Comment(i, t, rating=3) for i, t in enumerate(texts)]
    themes = find_themes(comments)
    groups = sorted(sorted(t.comment_ids) for t in themes)
    assert groups == [[0, 1, 2], [3, 4, 5], [6, 7, 8]]
    by_terms = {
        frozenset(t.terms) & {"slow", "friendly", "helpful", "password", "reset"} for t in themes
    }
    assert frozenset({"password", "reset"}) in by_terms
    for theme in themes:
        assert theme.count == 3 and theme.share == round(3 / 9, 4)
        assert len(theme.examples) == 3 and theme.mean_rating == 3


def test_themes_in_chinese():
    texts = [
        "回复太慢了，等了三天",
        "等待时间太长，回复慢",
        "回复很慢",
        "密码重置邮件没收到",
        "密码重置失败",
        "重置密码不行",
    ]
    themes = find_themes([Comment(i, t) for i, t in enumerate(texts)], max_themes=3)
    assert sorted(sorted(t.comment_ids) for t in themes) == [[0, 1, 2], [3, 4, 5]]


def test_themes_of_few_or_empty_comments():
    assert find_themes([]) == []
    assert find_themes([Comment(1, "the and of"), Comment(2, "")]) == []
    (only,) = find_themes([Comment(1, "slow reply"), Comment(2, "ok then")])
    assert only.count == 2 and only.share == 1.0
