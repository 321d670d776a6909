"""A small English and Chinese FAQ base of our own, with held-out phrasings and out-of-scope
questions, for the matcher tests (training phrasings, then held-out ones, per article)."""

ARTICLES = {
    "reset-password": (
        "en",
        [
            "How do I reset my password?",
            "I forgot my password",
            "change my login password",
            "password expired, cannot sign in",
            "set a new password for my account",
            "my password does not work anymore",
        ],
        ["I can't remember my password", "how can I change the password", "password reset"],
    ),
    "vpn": (
        "en",
        [
            "How do I connect to the VPN?",
            "VPN will not connect",
            "remote access from home",
            "the vpn client shows an error",
            "working from home, cannot reach the intranet",
            "vpn keeps dropping",
        ],
        ["vpn disconnects all the time", "connect to the office network from home", "vpn error"],
    ),
    "printer": (
        "en",
        [
            "The printer does not print",
            "printer paper jam",
            "my print jobs are stuck in the queue",
            "printer says offline",
            "cannot print a document",
            "add a network printer",
        ],
        ["nothing comes out of the printer", "paper stuck in printer", "printer is offline"],
    ),
    "laptop-slow": (
        "en",
        [
            "My laptop is very slow",
            "computer takes ages to start",
            "pc freezes all the time",
            "laptop fan is loud and everything lags",
            "programs are slow to open",
            "my machine hangs",
        ],
        ["the computer is really slow today", "laptop freezing", "everything lags on my pc"],
    ),
    "email-quota": (
        "en",
        [
            "My mailbox is full",
            "cannot send email, quota exceeded",
            "outlook says mailbox over limit",
            "how do I free space in my mailbox",
            "emails bounce because my inbox is full",
            "increase my mailbox size",
        ],
        ["inbox full", "mailbox quota reached", "I get a message that my mailbox is over its size"],
    ),
    "expenses": (
        "en",
        [
            "How do I submit an expense claim?",
            "reimbursement of travel costs",
            "where do I file my receipts",
            "claim back a taxi fare",
            "expense report for a business trip",
            "get my money back for a hotel",
        ],
        ["how to get reimbursed", "submit receipts from my trip", "claim expenses"],
    ),
    "new-software": (
        "en",
        [
            "How do I request new software?",
            "install an application on my computer",
            "I need a licence for a program",
            "can I get Photoshop installed",
            "software installation request",
            "order a new app",
        ],
        ["I need a program installed", "request a software licence", "install Visio please"],
    ),
    "parking": (
        "en",
        [
            "How do I get a parking permit?",
            "car park access card",
            "where can I park at the office",
            "apply for a parking space",
            "parking badge does not open the gate",
            "visitor parking",
        ],
        ["parking permit application", "I need a parking spot", "the car park gate won't open"],
    ),
    "zh-annual-leave": (
        "zh-hans",
        ["如何申请年假", "我想请假", "年假还剩几天", "请假流程是什么", "休假申请怎么提交"],
        ["怎么请年假", "我要休假"],
    ),
    "zh-wifi": (
        "zh-hans",
        ["无线网络连不上", "WiFi密码是多少", "办公室无线网很慢", "手机连不上公司WiFi", "网络断了"],
        ["连不上无线网", "wifi 上不了网"],
    ),
    "zh-payslip": (
        "zh-hans",
        ["在哪里查看工资单", "工资条怎么下载", "这个月工资有问题", "工资单打不开", "查询薪资明细"],
        ["工资单在哪里", "下载工资条"],
    ),
    "zh-printer": (
        "zh-hans",
        ["打印机不能打印", "打印机卡纸了", "打印机显示离线", "打印任务卡住了", "怎么添加打印机"],
        ["打印机坏了", "打印机卡纸怎么办"],
    ),
}

BASE_OUT_OF_SCOPE = [
    "what is on the canteen menu today",
    "who is playing in the cup final",
    "食堂今天有什么菜",
    "周末去哪里玩",
]

HELD_OUT_OUT_OF_SCOPE = [
    "what's the weather going to be this weekend",
    "tell me a funny story",
    "how many goals did the team score",
    "明天天气好吗",
    "讲个故事吧",
]


def training():
    """(texts, article positions) of the training phrasings; the articles' keys."""
    keys = list(ARTICLES)
    texts, labels = [], []
    for position, (_language, train, _held_out) in enumerate(ARTICLES.values()):
        texts += train
        labels += [position] * len(train)
    return texts, labels, keys


def held_out():
    """(text, key or "") of the held-out phrasings and out-of-scope questions."""
    cases = [(text, key) for key, (_l, _t, held) in ARTICLES.items() for text in held]
    return cases + [(text, "") for text in HELD_OUT_OUT_OF_SCOPE]
