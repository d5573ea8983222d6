"""Scam-script phrases: the data table behind the signals of ``verifier scan``.

Each :class:`Phrase` row is one stable reason code with the verdict level it argues for alone
and together with any other signal, a risk weight, and its compiled English and Chinese
patterns. The wording follows TokenPocket's own warnings (CHANNELS.md 2.3): fake customer
service and admins, "verification", recovery for a fee, "anyone who DMs you first is a
scammer", requests for the seed phrase or private key.

A warning is not a scam: a match is dropped when its clause (the text back to the previous
``。.!?,;`` or line break) carries a negation before it ("never", "don't", "不要", "切勿",
"不会" …), when its sentence names the scam before it ("scammers", "骗子", "谨防" …) or its
clause after it ("主动私聊的都是骗子"), and, for rows that say so, when a negation follows in
its clause ("官方客服不会主动私聊", "official support will never DM you"). So TokenPocket's
own advice, pasted or quoted in the news, gives no signal.

Performance: every repetition is bounded (``{0,30}``), no quantifier is nested, patterns are
compiled once, and each row is one pass per language over the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from verifier import messages
from verifier.model import Reason

# A gap inside one clause: never across sentence punctuation or a line break.
# A dot inside a number ("0.1 ETH") does not end a clause.
_GAP = r"(?:[^。.!?\n,;]|\.(?=[0-9]))"
_B = r"(?<![A-Za-z0-9])"  # ASCII word boundaries: "\b" sees CJK letters as word characters
_E = r"(?![A-Za-z0-9])"


def _en(*alternatives: str) -> str:
    return _B + "(?:" + "|".join(alternatives) + ")" + _E


def _zh(*alternatives: str) -> str:
    return "(?:" + "|".join(alternatives) + ")"


def _gap(n: int) -> str:
    return f"{_GAP}{{0,{n}}}?"


# --- vocabulary (data) -------------------------------------------------------------------------

_SECRET_EN = (
    r"(?:seed[ -]?phrases?|seed words|mnemonic(?: phrases?| words?)?s?|(?:secret )?recovery phrases?|secret phrases?"
    r"|backup phrases?|private[ -]?keys?|keystore(?: files?| json)?|wallet (?:phrase|words)"
    r"|(?:12|24|twelve|twenty[ -]four)[ -]words?(?: (?:recovery |seed )?phrases?)?)"
)
_SECRET_ZH = r"(?:助记词|助记码|私钥|密钥|秘钥|恢复短语|备份短语|(?i:keystore)|钱包密码|支付密码)"
_ASSETS_EN = r"(?:funds|assets|coins|tokens|crypto(?:currency|currencies)?|money|usdt|balance|btc|eth|losses|deposit)"
_APPS = r"(?:whatsapp|telegram|wechat|signal|line|qq|viber|discord|skype|tg)"
# An amount, from the start of a number and bounded: a run of 60,000 digits is not 60,000
# starting points each scanning to its end.
_AMOUNT = r"(?<![0-9.])[0-9]{1,12}(?:\.[0-9]{1,12})?"
# Coins a fee is asked in (tickers are upper or lower case in chat: "0.1 eth", "500U").
_COINS = r"(?i:eth|usdt|usdc|bnb|trx|btc|sol|ht|okb|matic|u(?![a-z])|币)"
_APPS_ZH = r"(?:微信|(?i:qq|vx|tg|whatsapp|telegram)|电报|飞机|V(?![A-Za-z])|v(?![A-Za-z]))"

_NEGATION = re.compile(
    _en(r"never", r"not", r"no one", r"nobody", r"don'?t", r"doesn'?t", r"won'?t", r"cannot", r"can'?t", r"unable")
    + "|" + _zh(r"不要", r"不会", r"不能", r"不可", r"不得", r"不必", r"别(?![人的])", r"切勿", r"请勿", r"勿", r"绝不", r"决不",
                r"从不", r"从来不", r"无法", r"并未", r"并不", r"没有", r"不提供"),
    re.IGNORECASE,
)
# Words that name the scam: a sentence that has them describes a scam, it does not run one.
_WARNING = re.compile(
    _en(r"beware", r"scam(?:s|mers?)?", r"fraud(?:s|sters?)?", r"phishing", r"fakes?", r"impersonat\w{0,6}")
    + "|" + _zh(r"谨防", r"警惕", r"小心", r"当心", r"骗子", r"诈骗", r"骗局", r"欺诈", r"钓鱼", r"假冒", r"冒充", r"虚假",
                r"防骗", r"反诈", r"假的"),
    re.IGNORECASE,
)
_CLAUSE_END = re.compile(r"[。.!?\n,;]")
_SENTENCE_END = re.compile(r"[。.!?\n]")
_WINDOW = 40


@dataclass(frozen=True, slots=True)
class Phrase:
    """One scam-script signal: its code, how strongly it argues, and how to find it.

    ``level`` is the verdict it argues for when it is the message's only signal;
    ``with_others`` when any other distinct signal is present (a *script*: "official
    support" + "give me your 助记词" is an impersonation). ``"note"`` changes no verdict.
    ``negated_after``: a negation *after* the match also makes it a warning ("官方客服不会…").
    ``patterns`` is empty for signals found elsewhere (``obfuscated_link``: extract.py).
    """

    code: str
    level: str
    with_others: str
    weight: int
    patterns: tuple[re.Pattern[str], ...]
    negatable: bool = True
    negated_after: bool = False


def _compile(*sources: str) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(source, re.IGNORECASE) for source in sources)


PHRASES: tuple[Phrase, ...] = (
    Phrase(
        "asks_for_secret", "suspicious", "impersonation", 80,
        _compile(
            # "enter your seed phrase", "send me your 12-word recovery phrase", "DM me your private key"
            _B + r"(?:enter|type|input|send|share|provide|submit|give|paste|fill in|upload|tell|dm|verify|validate"
            r"|confirm|show|import|forward|reply with|ask(?:s|ing)? (?:you )?for)" + _E
            + _gap(30) + _B + r"(?:your|ur|the|my|this)" + _E + _gap(15) + _SECRET_EN + _E
            + "|" + _B + r"(?:enter|type|input|send|submit|paste|provide|verify) " + _SECRET_EN + _E
            + "|" + _B + r"(?:your|ur) " + _gap(15) + _SECRET_EN + " " + _gap(20)
            + r"(?:is|are) (?:required|needed|necessary)" + _E
            + "|" + _B + r"(?:need|needs|require|requires) (?:your|ur) " + _gap(15) + _SECRET_EN + _E
            + "|" + _B + r"have (?:your|ur) " + _gap(15) + _SECRET_EN + r" ready" + _E
            + "|" + _B + r"enter your words" + _E,
            # "请提供助记词", "把助记词发给我", "输入私钥解冻", "需要您的助记词"
            _zh(r"提供", r"输入", r"发送", r"发给", r"发我", r"告诉", r"告知", r"填写", r"填入", r"提交", r"导入", r"上传",
                r"粘贴", r"复制给", r"给我", r"验证", r"核对", r"核实", r"截图", r"索要", r"索取", r"需要", r"报一下", r"说一下")
            + _gap(10) + _SECRET_ZH
            + "|" + _SECRET_ZH + _gap(8)
            + _zh(r"发给", r"发我", r"给我", r"提供给", r"告诉", r"截图", r"发过来", r"私发", r"发一下", r"报一下", r"发送给",
                  r"填写", r"填到", r"输入到"),
        ),
    ),
    Phrase(
        "asks_for_fee", "suspicious", "impersonation", 75,
        _compile(
            _en(
                r"(?:need|needs|have|has|must|required|requires) to (?:pay|deposit|send|transfer)",
                r"pay (?:a |the |an )?(?:small |one-time |one time |refundable )?(?:fee|tax|deposit|charge)s?",
                r"(?:verification|activation|unlock(?:ing)?|unfreez(?:e|ing)|withdrawal|recovery|processing|release"
                r"|clearance|validation|upgrade|synchroni[sz]ation|sync|security) (?:fee|deposit|charge|payment|transfer|tax)e?s?",
                r"transfer " + _gap(25) + r"to (?:verify|activate|unlock|unfreeze|validate|release)",
                r"gas fees? " + _gap(20) + r"(?:first|before|in advance)",
                r"(?:first|before that) (?:send|pay|transfer|deposit)",
            ),
            # "先支付500 USDT手续费", "需先缴纳保证金", "转账 0.1 ETH 到验证地址", "激活费"
            _zh(
                _zh(r"支付", r"缴纳", r"交纳", r"缴", r"先交", r"先付", r"先转", r"充值", r"补交") + _gap(12)
                + _zh(r"手续费", r"保证金", r"激活费", r"解冻费", r"解冻金", r"服务费", r"认证费", r"验证费", r"押金",
                      r"税费", r"税金", r"个人所得税", r"费用", r"矿工费", r"(?i:gas)费"),
                r"保证金", r"验证转账", r"转账验证",
                # a fee named by what it pretends to pay for: 恢复费, 解冻金, 提现手续费, 通道费 ...
                _zh(r"恢复", r"解冻", r"激活", r"认证", r"验证", r"提现", r"出金", r"通道", r"升级", r"审核", r"同步", r"解锁",
                    r"解封", r"风控", r"清算", r"保释", r"开通", r"授权") + r"(?:手续)?" + _zh(r"费", r"金"),
                # "转0.1 ETH到这个地址验证", "0.1 ETH 发到 0x…": an amount of a coin sent to an address
                _zh(r"转", r"发", r"打", r"汇", r"充", r"付") + r"[ \t]{0,2}" + _AMOUNT + r"[ \t]{0,2}" + _COINS
                + _gap(3) + _zh(r"到", r"至", r"给", r"进", r"入"),
                _AMOUNT + r"[ \t]{0,2}" + _COINS + r"[ \t]{0,2}" + _zh(r"发到", r"转到", r"打到", r"转入", r"发送到", r"转至", r"汇到"),
                _zh(r"转", r"打", r"充") + _zh(r"入", r"一笔", r"进", r"账") + _gap(20) + _zh(r"验证", r"激活", r"解冻", r"认证"),
                _zh(r"需要", r"需", r"请先", r"先") + _zh(r"转账", r"汇款", r"打款", r"转入", r"充值"),
            ),
        ),
    ),
    Phrase(
        "promises_recovery", "suspicious", "impersonation", 75,
        _compile(
            _en(
                r"(?:recover|retrieve|get back|reclaim|refund|return|unfreeze|unlock|trace|track down) " + _gap(30)
                + r"(?:stolen|lost|missing|scammed|frozen|locked)? ?" + _ASSETS_EN,
                r"(?:fund|funds|asset|crypto|money|scam) recovery",
                r"recovery (?:service|team|expert|agent|specialist|company|firm)s?",
                r"(?:we|i|our team|they) (?:can|will|could) (?:help (?:you )?)?(?:recover|retrieve|get back|refund|return)",
                r"get (?:you |your )?(?:a )?refund",
            ),
            _zh(
                _zh(r"找回", r"追回", r"拿回", r"要回", r"追讨", r"挽回", r"追踪", r"恢复") + _gap(6)
                + _zh(r"资产", r"资金", r"损失", r"币", r"钱(?!包)", r"(?i:usdt)", r"U(?![A-Za-z])", r"被盗", r"丢失", r"被骗"),
                r"挽回损失",
                _zh(r"资产", r"资金", r"币", r"损失") + _gap(3) + _zh(r"找回", r"追回", r"追讨", r"恢复"),
                _zh(r"帮", r"为", r"给") + _zh(r"你", r"您") + _gap(6) + _zh(r"退款", r"退回", r"解冻", r"追回", r"找回"),
                r"退款" + _gap(4) + _zh(r"资产", r"资金", r"(?i:usdt)", r"币", r"流程"),
                r"解冻" + _zh(r"钱包", r"资产", r"资金", r"账户", r"账号"),
                _zh(r"钱包", r"资产", r"资金", r"账户", r"账号") + _gap(3) + r"解冻",
                # "退款、找回、解冻请直接致电": recovery services listed
                _zh(r"退款", r"找回", r"追回", r"解冻", r"挽回") + r"[、/和及与]" + _zh(r"退款", r"找回", r"追回", r"解冻", r"挽回"),
            ),
        ),
    ),
    Phrase(
        "asks_to_connect_or_authorize", "suspicious", "suspicious", 65,
        _compile(
            _en(
                r"connect (?:your |the )?wallets?",
                r"(?:sync|synchroni[sz]e|validate|verify|rectify|migrate|whitelist|activate|re-?activate|unlock) (?:your |the )?wallets?",
                r"wallet (?:validation|verification|synchroni[sz]ation|sync|connection)",
                r"(?:approve|authori[sz]e|sign) (?:the |this |a |our )?(?:transaction|contract|request|approval|permission)s?",
                r"claim (?:your |the )?(?:free )?(?:airdrop|reward|tokens|bonus|prize)s?",
            ),
            _zh(
                _zh(r"点击", r"进行", r"完成", r"确认", r"签名", r"同意", r"需要", r"请") + _gap(4) + r"授权",
                r"授权" + _zh(r"钱包", r"登录", r"领取", r"验证", r"一下"),
                _zh(r"同步", r"验证", r"连接", r"链接", r"认证", r"激活", r"升级") + r"(?:您的|你的)?钱包",
                r"钱包" + _zh(r"验证", r"同步", r"认证", r"激活"),
                _zh(r"领取", r"认领") + _gap(6) + _zh(r"空投", r"奖励", r"代币", r"福利"),
            ),
        ),
    ),
    Phrase(
        "claims_official_support", "note", "suspicious", 40,
        _compile(
            _en(
                r"official (?:tokenpocket |tp |tp wallet )?(?:support|customer (?:service|support|care)|admin(?:istrator)?s?"
                r"|help ?desk|agent|representative|staff|team member)",
                r"(?:tokenpocket|tp ?wallet) (?:customer (?:service|support|care)|help ?desk|admin(?:istrator)?|agent"
                r"|representative|staff|security team|support team|support here)",
                r"(?:i am|i'm|this is|we are|we're) (?:a |an |the )?(?:support|customer service|customer care|admin"
                r"|help desk|technical support)(?: agent| team| officer| staff)?",
                r"(?:i am|i'm|we are|we're) (?:an? )?(?:admin|moderator|support agent) (?:of|from|at|with)",
                r"(?:i am|i'm|we are|we're) (?:from|with) (?:tokenpocket|tp)",
                r"(?:this is|i am|i'm|we are|we're) (?:the )?(?:tokenpocket|tp ?wallet|tp)(?: official)? (?:support|customer service"
                r"|customer care|help ?desk|team|admin|security)",
                r"support here",
            ),
            _zh(
                _zh(r"官方", r"人工", r"在线", r"专属", r"高级") + r"客服",
                r"客服" + _zh(r"专员", r"经理", r"中心", r"热线", r"人员", r"主管", r"通知", r"提醒"),
                r"技术支持", r"技术团队",
                r"官方" + _zh(r"管理员", r"工作人员", r"技术人员", r"团队", r"人员", r"通知", r"合作"),
                _zh(r"我是", r"我们是", r"本人是") + _gap(8) + _zh(r"客服", r"管理员", r"工作人员", r"官方"),
            ),
        ),
        negated_after=True,
    ),
    Phrase(
        "urgency", "note", "suspicious", 30,
        _compile(
            _en(
                r"within (?:\d{1,3}|twenty[ -]four|one|an?) ?(?:hours?|hrs?|h|minutes?|mins?|days?)",
                r"(?:act|verify|contact|reply|respond|click|confirm|update|sync|complete|validate) " + _gap(20)
                + r"(?:immediately|now|asap|right away|at once|today)",
                r"immediately (?:verify|contact|click|confirm|update|sync|reply|validate)",
                r"(?:account|wallet|funds|assets|balance) " + _gap(20)
                + r"(?:will|may|could) be (?:frozen|suspended|locked|blocked|closed|deleted|disabled|lost|restricted)",
                r"(?:urgent|final notice|last warning|last chance|time[ -]sensitive)",
                r"before it expires", r"expires? (?:today|soon|in \d{1,3})",
            ),
            _zh(
                _zh(r"立即", r"立刻", r"马上", r"尽快", r"赶紧", r"火速", r"务必") + _gap(4)
                + _zh(r"处理", r"操作", r"验证", r"联系", r"认证", r"完成", r"升级", r"同步", r"转账", r"添加", r"回复",
                      r"点击", r"授权", r"激活", r"解冻", r"办理", r"提供", r"下载", r"更新"),
                r"\d{1,3} ?(?:个)?(?:小时|分钟|天)内",
                r"否则" + _gap(10) + _zh(r"冻结", r"封禁", r"清零", r"作废", r"锁定", r"无法", r"丢失", r"注销", r"永久", r"停用"),
                _zh(r"账户", r"账号", r"钱包", r"资产", r"资金") + _gap(6) + _zh(r"将", r"会", r"将会", r"即将")
                + _gap(4) + _zh(r"冻结", r"封禁", r"锁定", r"注销", r"清零", r"停止服务"),
                _zh(r"账户", r"账号", r"钱包", r"资产", r"资金") + r"已(?:被)?" + _gap(4) + _zh(r"冻结", r"封禁", r"锁定", r"限制"),
                r"即将停止服务", r"仅限今天", r"限时", r"逾期",
            ),
        ),
        negatable=False,
    ),
    Phrase(
        "moves_chat", "note", "suspicious", 40,
        _compile(
            _en(
                r"(?:add|message|contact|text|dm|pm|reach|ping|write to|chat with|talk to) (?:me|us) " + _gap(20)
                + r"(?:on|via|at|through|in) " + _APPS,
                r"(?:dm|pm|inbox|message) me",
                r"(?:add|contact) (?:me|us) on",
                r"send (?:me )?(?:a )?(?:dm|direct message|private message|pm)",
                r"(?:whatsapp|telegram|wechat) me",
                r"move (?:this|the|our) (?:chat|conversation|discussion) to",
                r"(?:continue|talk|chat) (?:on|in|via) (?:whatsapp|telegram|wechat|private)",
                r"contact us on " + _APPS,
            ),
            _zh(
                r"加(?:我|一下|下)?(?:的)?" + _zh(_APPS_ZH, r"好友"),
                r"加我", r"私聊", r"私信(?:我|联系|给我)",
                _zh(r"联系", r"添加") + _gap(4) + _APPS_ZH,
                _zh(r"微信", r"(?i:qq)", r"电报", r"飞机") + r"(?:上)?联系",
                r"单独(?:聊|沟通|联系)", r"(?:私下|线下)(?:联系|沟通|处理)",
            ),
        ),
    ),
    Phrase(
        # "客服QQ：12345678", "人工客服微信 tpkf888", "support WhatsApp: +1 …": TokenPocket's support is
        # only its official channels (no phone, QQ or WeChat support): such a contact is the fake.
        "offers_support_contact", "suspicious", "impersonation", 70,
        _compile(
            _en(
                r"(?:support|customer (?:service|care)|help ?desk|service|admin|agent)(?: team)?(?:'s)? " + _gap(8)
                + r"(?:" + _APPS + r"|phone|hotline|number|whatsapp number|telegram id|qq number)",
                _APPS + r" (?:support|customer service|help ?desk|hotline)",
            ),
            _zh(
                _zh(r"客服", r"人工", r"官方", r"售后", r"专员", r"工作人员") + _gap(4)
                + _zh(_APPS_ZH, r"电话", r"热线", r"手机", r"号码", r"联系方式", r"扣扣", r"企鹅"),
                _zh(_APPS_ZH, r"电话", r"热线") + r"(?:号)?" + _gap(2) + _zh(r"客服", r"人工客服", r"售后"),
            ),
        ),
        negated_after=True,
    ),
    Phrase("obfuscated_link", "note", "suspicious", 35, (), negatable=False),  # found by extract.deobfuscate
)

BY_CODE: dict[str, Phrase] = {p.code: p for p in PHRASES}


@dataclass(frozen=True, slots=True)
class Signal:
    """A scam-script phrase found in a message: its code, the text as found, and where.

    ``start``/``end`` index the scanned text (``text[start:end] == match``).
    """

    code: str
    match: str
    start: int
    end: int

    @property
    def phrase(self) -> Phrase:
        return BY_CODE[self.code]

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        rendered = messages.render_reason(Reason(self.code), lang)
        return {"code": self.code, "message": rendered["message"], "match": self.match, "start": self.start, "end": self.end}


# Invisible and format characters scammers put inside words ("助\u200b记词") to dodge filters.
_INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")


def _visible(text: str) -> tuple[str, list[int] | None]:
    """``text`` without invisible characters, and the original index of each kept one."""
    if not _INVISIBLE.search(text):
        return text, None
    keep = [i for i, c in enumerate(text) if not _INVISIBLE.match(c)]
    return "".join(text[i] for i in keep), keep


def _before(text: str, start: int, ends: re.Pattern[str]) -> str:
    """The text back to the previous ``ends`` character (at most ``_WINDOW`` characters)."""
    window = text[max(0, start - _WINDOW) : start]
    cut = None
    for cut in ends.finditer(window):
        pass
    return window[cut.end() :] if cut else window


def _clause_after(text: str, end: int) -> str:
    window = text[end : end + _WINDOW]
    cut = _CLAUSE_END.search(window)
    return window[: cut.start()] if cut else window


def is_warning(phrase: Phrase, text: str, start: int, end: int) -> bool:
    """True when the match at ``text[start:end]`` sits in a warning, not a request.

    Negation in its clause before it (or inside it); the scam named in its sentence before
    it or in its clause after it; for ``negated_after`` rows, negation in its clause after it.
    """
    if not phrase.negatable:
        return False
    if _NEGATION.search(_before(text, start, _CLAUSE_END)) or _NEGATION.search(text, start, end):
        return True
    if _WARNING.search(_before(text, start, _SENTENCE_END)) or _WARNING.search(text, start, end):
        return True
    after = _clause_after(text, end)
    return bool(_WARNING.search(after) or (phrase.negated_after and _NEGATION.search(after)))


def find_signals(text: str, *, shown: str | None = None) -> tuple[Signal, ...]:
    """The first non-warning match of each row of :data:`PHRASES`, in order of position.

    ``text`` is what is searched (already folded, see ``extract.fold``); ``shown`` is the text
    the positions and matches refer to (the caller's original, same length), default ``text``.
    """
    original = text if shown is None else shown
    searched, index = _visible(text)
    found: list[Signal] = []
    for phrase in PHRASES:
        best: tuple[int, int] | None = None
        for pattern in phrase.patterns:
            for match in pattern.finditer(searched):
                if best is not None and match.start() >= best[0]:
                    break
                if not is_warning(phrase, searched, match.start(), match.end()):
                    best = (match.start(), match.end())
                    break
        if best is None:
            continue
        start, end = best
        if index is not None:
            start, end = index[start], index[end - 1] + 1
        found.append(Signal(phrase.code, original[start:end], start, end))
    found.sort(key=lambda s: (s.start, s.code))
    return tuple(found)
