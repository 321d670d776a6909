"""Macro texts: only the documented variables and a few filters, rendered without escaping."""

import pytest

from apps.macros import variables


def test_known_variables_render_from_plain_values():
    values = {
        "customer": {"name": "Carol O'Brien <x>", "first_name": "Carol", "organisation": ""},
        "request": {"reference": "SR-000007", "subject": "Printer", "state": "", "category": ""},
    }
    text = "Dear {{ customer.name }}, {{ request.reference }}: {{ request.subject|upper }}"
    # Replies are plain text: nothing is HTML-escaped (the page sanitises when it shows them).
    assert variables.render(text, values) == "Dear Carol O'Brien <x>, SR-000007: PRINTER"


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("Hi {{ customer.password }}", "Unknown variable {{ customer.password }}"),
        ("Hi {{ customer }}", "Unknown variable {{ customer }}"),
        ("{{ customer.name.upper }}", "Unknown variable {{ customer.name.upper }}"),
        ("{{ request.subject|safe }}", "Unknown filter |safe"),
        ("{{ customer.name|default:settings.SECRET_KEY }}", "Unknown variable settings"),
        ("{% if customer.name %}x{% endif %}", "not template tags"),
        ("{% load static %}", "not template tags"),
        ("{{ customer.__class__ }}", "not a valid macro"),
        ("Hi {{ customer.name ", "not closed"),
        ('{{ "literal" }}', "Unknown variable"),
    ],
)
def test_anything_else_is_refused_with_a_message_naming_it(text, says):
    with pytest.raises(variables.UnknownVariable) as refused:
        variables.check(text)
    assert says in str(refused.value)


def test_the_refusal_lists_what_may_be_used():
    with pytest.raises(variables.UnknownVariable) as refused:
        variables.check("{{ ticket.id }}")
    assert "{{ customer.name }}" in str(refused.value)
    assert "{{ request.reference }}" in str(refused.value)


def test_plain_text_and_braces_alone_pass():
    assert variables.render("No variables { here }.", {}) == "No variables { here }."
