"""The FAQ import command: idempotent, all or nothing, every error reported by its line."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from apps.knowledge import importing
from apps.knowledge.models import Article, OutOfScopeQuestion, Phrasing

pytestmark = pytest.mark.django_db

GOOD = """key,question,answer,phrasing
vpn-reset,How do I reset the VPN?,"Restart the **VPN** client, then sign in.",vpn keeps dropping
vpn-reset,,,vpn will not connect
vpn-reset,How do I reset the VPN?,,"my vpn is broken, help"
password,How do I change my password?,Use the self-service portal.,
vpn-zh,VPN 连不上怎么办,重启 VPN 客户端后重新登录,VPN 断线
vpn-zh,,,连不上公司网络
"""


def write(tmp_path, text: str | bytes, name: str = "faq.csv"):
    path = tmp_path / name
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8")
    else:
        path.write_bytes(text)
    return path


def run(path, *args) -> str:
    out = StringIO()
    call_command("import_knowledge", str(path), *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def run_failing(path, *args) -> str:
    """The errors printed by an import that must fail."""
    err = StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_knowledge", str(path), *args, stdout=StringIO(), stderr=err)
    return err.getvalue()


def snapshot() -> list[tuple]:
    return [
        (a.key, a.question, a.answer, a.language, a.published, [p.text for p in a.phrasings.all()])
        for a in Article.objects.prefetch_related("phrasings")
    ]


def test_a_good_file_makes_articles_with_their_phrasings(tmp_path):
    output = run(write(tmp_path, GOOD))

    vpn = Article.objects.get(key="vpn-reset")
    assert vpn.question == "How do I reset the VPN?"
    assert vpn.answer == "Restart the **VPN** client, then sign in."
    assert (vpn.language, vpn.published) == ("en", True)
    assert [p.text for p in vpn.phrasings.all()] == [
        "vpn keeps dropping",
        "vpn will not connect",
        "my vpn is broken, help",
    ]
    assert list(Article.objects.get(key="password").phrasings.all()) == []
    chinese = Article.objects.get(key="vpn-zh")
    assert chinese.question == "VPN 连不上怎么办"
    assert [p.text for p in chinese.phrasings.all()] == ["VPN 断线", "连不上公司网络"]
    assert "3 created, 0 updated, 0 unchanged; 5 phrasings" in output


def test_importing_the_same_file_again_changes_nothing(tmp_path):
    path = write(tmp_path, GOOD)
    run(path)
    before = snapshot()
    stamps = dict(Article.objects.values_list("key", "updated_at"))
    phrasing_ids = set(Phrasing.objects.values_list("pk", flat=True))

    output = run(path)

    assert "0 created, 0 updated, 3 unchanged" in output
    assert snapshot() == before
    assert dict(Article.objects.values_list("key", "updated_at")) == stamps
    assert set(Phrasing.objects.values_list("pk", flat=True)) == phrasing_ids


def test_a_changed_file_updates_only_what_changed_and_replaces_phrasings(tmp_path):
    run(write(tmp_path, GOOD))
    password_stamp = Article.objects.get(key="password").updated_at
    changed = GOOD.replace("vpn will not connect", "vpn refuses me").replace(
        "重启 VPN 客户端", "先重启 VPN 客户端"
    )

    output = run(write(tmp_path, changed, "changed.csv"))

    assert "0 created, 2 updated, 1 unchanged" in output
    assert [p.text for p in Article.objects.get(key="vpn-reset").phrasings.all()] == [
        "vpn keeps dropping",
        "vpn refuses me",
        "my vpn is broken, help",
    ]
    assert Article.objects.get(key="vpn-zh").answer.startswith("先重启")
    assert Article.objects.get(key="password").updated_at == password_stamp


def test_language_and_unpublished_apply_to_every_article(tmp_path):
    output = run(write(tmp_path, GOOD), "--language", "zh-hans", "--unpublished")

    assert set(Article.objects.values_list("language", "published")) == {("zh-hans", False)}
    assert "3 created" in output


def test_an_unknown_language_is_refused(tmp_path):
    with pytest.raises(CommandError, match="Unknown language"):
        run(write(tmp_path, GOOD), "--language", "fr")


def test_a_dry_run_counts_but_writes_nothing(tmp_path):
    output = run(write(tmp_path, GOOD), "--dry-run")

    assert "Dry run" in output
    assert "3 created" in output
    assert Article.objects.count() == 0


def test_a_byte_order_mark_is_read_as_utf8(tmp_path):
    run(write(tmp_path, "\ufeff" + GOOD))

    assert Article.objects.filter(key="vpn-reset").exists()
    assert Article.objects.count() == 3


HEADER = "key,question,answer,phrasing\n"
LONG = "x" * 501


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ("ok,Q?,A.,\n,Q?,A.,p\n", ["line 3: the key is empty"]),
        (
            "ok,Q?,A.,\nOK?,Q?,A.,p\n",
            ['line 3: key "OK?" gives the slug "ok", as does key "ok" on line 2'],
        ),
        ("ok,Q?,A.,\nno-question,,A.,p\n", ['line 3: article "no-question" has no question']),
        ("ok,Q?,A.,\nno-answer,Q?,,p\n", ['line 3: article "no-answer" has no answer']),
        (f"ok,Q?,A.,\nok,,,{LONG}\n", ["line 3: the phrasing is 501 characters, more than 500"]),
        (
            "ok,Q?,A.,\nother,Q2?,A2.,\nok,Another?,,p\n",
            ['line 4: the question of "ok" differs from the one on line 2'],
        ),
        ("ok,Q?,A.,\nok,,Other answer.,\n", ['line 3: the answer of "ok" differs', "line 2"]),
        ("ok,Q?,A.,p,extra\n", ["line 2: 5 fields, more than the header's 4"]),
        (f"ok,Q?,A.,\nlong,{'q' * 301},A.,\n", ["line 3: the question is 301 characters"]),
    ],
    ids=[
        "empty-key",
        "slug-collision",
        "no-question",
        "no-answer",
        "long-phrasing",
        "other-question",
        "other-answer",
        "extra-field",
        "long-question",
    ],
)
def test_a_bad_last_row_fails_with_its_line_and_writes_nothing(tmp_path, rows, expected):
    Article.objects.create(key="ok", question="Old?", answer="Old.")

    errors = run_failing(write(tmp_path, HEADER + rows))

    assert len(errors.splitlines()) == 1, errors
    for text in expected:
        assert text in errors
    assert Article.objects.count() == 1
    assert Article.objects.get(key="ok").question == "Old?"
    assert Phrasing.objects.count() == 0


def test_every_error_is_reported_with_its_line(tmp_path):
    rows = "good,Q?,A.,\n,Q?,A.,\nGood!,Q?,A.,\nlonely,,,p\ngood,Other?,,\n"

    errors = run_failing(write(tmp_path, HEADER + rows)).splitlines()

    assert errors == [
        "line 3: the key is empty",
        'line 4: key "Good!" gives the slug "good", as does key "good" on line 2: '
        "change one of them",
        'line 5: article "lonely" has no question',
        'line 5: article "lonely" has no answer',
        'line 6: the question of "good" differs from the one on line 2 '
        "(leave it empty on later rows)",
    ]
    assert Article.objects.count() == 0


def test_missing_columns_are_named_on_line_one(tmp_path):
    errors = run_failing(write(tmp_path, "key,question,text\nok,Q?,A.\n"))

    assert errors.startswith("line 1: missing column(s): answer, phrasing")
    assert Article.objects.count() == 0


def test_invalid_utf8_is_named_by_line_and_byte_offset(tmp_path):
    data = (HEADER + "ok,Q?,A.,\n").encode() + b"latin,Caf\xe9?,Oui.,\n"

    errors = run_failing(write(tmp_path, data))

    offset = len((HEADER + "ok,Q?,A.,\nlatin,Caf").encode())
    assert errors.strip() == (
        f"line 3: not valid UTF-8: byte 0xe9 at byte offset {offset} (save the file as UTF-8)"
    )
    assert Article.objects.count() == 0


def test_a_quoted_answer_over_several_lines_keeps_later_line_numbers_right(tmp_path):
    rows = 'ok,Q?,"First line.\n\nSecond line.",\n,Q?,A.,\n'

    errors = run_failing(write(tmp_path, HEADER + rows))

    assert errors.strip() == "line 5: the key is empty"


def test_an_unreadable_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        run(tmp_path / "missing.csv")


def test_the_parser_limits_agree_with_the_model():
    def limit(model, name):
        return model._meta.get_field(name).max_length

    assert [
        limit(Article, "key"),
        limit(Article, "question"),
        limit(Article, "answer"),
        limit(Phrasing, "text"),
    ] == [
        importing.KEY_MAX_LENGTH,
        importing.QUESTION_MAX_LENGTH,
        importing.ANSWER_MAX_LENGTH,
        importing.PHRASING_MAX_LENGTH,
    ]


def test_a_key_may_be_any_text_and_gets_a_stable_slug(tmp_path):
    rows = "reverted_card_payment?,Card payment reverted?,It comes back in 5 days.,\n"
    rows += "重置 密码,怎么重置密码,用自助门户。,\n"
    run(write(tmp_path, HEADER + rows))
    article = Article.objects.get(key="reverted_card_payment?")
    assert article.slug == "reverted_card_payment"
    assert Article.objects.get(key="重置 密码").slug == "重置-密码"
    article.question = "Changed?"
    article.save()
    assert Article.objects.get(pk=article.pk).slug == "reverted_card_payment"


def test_a_key_whose_slug_an_existing_article_has_is_refused_by_line(tmp_path):
    Article.objects.create(key="vpn reset", question="Q?", answer="A.")
    errors = run_failing(write(tmp_path, HEADER + "ok,Q?,A.,\nVPN-reset,Q?,A.,\n"))
    assert (
        errors.strip()
        == 'line 3: key "VPN-reset" gives the slug "vpn-reset" of the existing article "vpn reset"'
    )
    assert Article.objects.count() == 1


def test_rows_with_only_a_phrasing_are_out_of_scope_questions(tmp_path):
    rows = "ok,Q?,A.,\n,,,what is for lunch today\n,,,今天午饭吃什么\n,,,what is for lunch today\n"
    run(write(tmp_path, HEADER + rows), "--language", "en")
    assert sorted(OutOfScopeQuestion.objects.values_list("text", flat=True)) == [
        "what is for lunch today",
        "今天午饭吃什么",
    ]
    run(write(tmp_path, HEADER + rows))  # again: nothing new
    assert OutOfScopeQuestion.objects.count() == 2
