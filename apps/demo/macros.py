# ruff: noqa: RUF001 - Chinese text has full-width punctuation
"""Demo macros for `make run`: shared ones of IT and Finance, and personal ones of Alice, in
English and Simplified Chinese."""

from apps.macros.models import Macro, MacroTranslation

# owner username or department code, name, transition, English, (zh-hans name, zh-hans text)
MACROS = [
    (
        "it",
        "Need more details",
        "request_info",
        "Hello {{ customer.first_name }},\n\nto solve {{ request.reference }} we need a little "
        "more: which device is it, and what exactly do you see (a photo of the screen helps)?"
        "\n\n{{ agent.name }}, {{ department.name }}",
        (
            "需要更多信息",
            "{{ customer.name }}，您好：\n\n为了处理 {{ request.reference }}，"
            "请告诉我们是哪台设备，以及您看到的具体情况（屏幕照片会很有帮助）。"
            "\n\n{{ agent.name }}，{{ department.name }}",
        ),
    ),
    (
        "it",
        "Fixed, please confirm",
        "resolve",
        "Hello {{ customer.first_name }},\n\n{{ request.reference }} ({{ request.subject }}) is "
        "fixed. If anything is still wrong, just reply and we reopen it.\n\n{{ agent.name }}",
        (
            "已解决，请确认",
            "{{ customer.name }}，您好：\n\n{{ request.reference }}（{{ request.subject }}）"
            "已解决。如仍有问题，请直接回复，我们会重新处理。\n\n{{ agent.name }}",
        ),
    ),
    (
        "finance",
        "Invoice re-issued",
        "resolve",
        "Dear {{ customer.name }},\n\nwe have re-issued the invoice for {{ customer.organisation }}"
        "; you will receive it by e-mail today.\n\n{{ agent.name }}, {{ department.name }}",
        None,
    ),
    (
        "alice",
        "On it",
        "start",
        "Hi {{ customer.first_name }}, I have picked up {{ request.reference }} and am working "
        "on it now.\n\n{{ agent.first_name }}",
        ("正在处理", "{{ customer.name }}，您好：我已接手 {{ request.reference }}，正在处理。"),
    ),
    (
        "alice",
        "Password reset done",
        "resolve",
        "Hi {{ customer.first_name }}, your password is reset: you will get a link to choose a "
        "new one. {{ request.reference }} is resolved.\n\n{{ agent.first_name }}",
        (
            "密码已重置",
            "{{ customer.name }}，您好：您的密码已重置，您会收到设置新密码的链接。"
            "{{ request.reference }} 已解决。",
        ),
    ),
]


def build_macros(org) -> dict[str, int]:
    """The demo's macros, checked like any saved in the admin; returns their count."""
    for scope, name, transition, body, chinese in MACROS:
        macro = Macro(name=name, transition=transition, body=body, language="en")
        if scope in org.departments:
            macro.department = org.departments[scope]
        else:
            macro.owner = org.agents[scope].user
        macro.full_clean()
        macro.save()
        if chinese:
            translation = MacroTranslation(
                macro=macro, language="zh-hans", name=chinese[0], body=chinese[1]
            )
            translation.full_clean()
            translation.save()
    return {"macros": len(MACROS)}
