"""The words victims type to find support: ``tp钱包客服``, ``TokenPocket support``, ``TP钱包人工客服``.

Such text is nothing we can check (no link, address, account or number), yet it is the most
common thing a frightened person pastes, and search results and ads for exactly these words
are where fake "support" is bought. So it is answered, not refused: the official contact
routes from the registry, and a warning about search results.

The principle, not a list of strings: the text is made only of

* at least one **brand term** (the registry's ``issuer.brand_terms``, and the short alias
  ``tp``, which counts only next to a support word, as in the lookalike detector),
* at least one **support word** (asking for a way to reach or get TokenPocket: 客服, 人工,
  官网, support, customer service, hotline, download ...),
* and otherwise only filler (钱包, app, 怎么联系, 电话, 微信, the, how to ...), spaces and
  punctuation.

Anything left over (a name, a number, a domain) means it is not only a search: the caller
keeps its own answer (checked, or refused). :class:`Verifier.check` asks this module only for
text that classify refused, so anything checkable keeps its check ("tokenpocket-kefu" is a
handle to check, not a search).

Pure: no Flask, no network.
"""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING, Any, Iterable

from verifier.errors import InvalidInputError
from verifier.heuristics.tables import SHORT_BRAND_ALIASES
from verifier.messages import Message

if TYPE_CHECKING:  # pragma: no cover
    from verifier.model import RegistryInfo
    from verifier.registry.schema import Channel

MAX_CHARS = 80  # a search is short; longer text is a message (or nothing)

# Asking for a way to reach or get TokenPocket. Lower case; Chinese, pinyin, English.
SUPPORT_WORDS: frozenset[str] = frozenset({
    "客服", "人工", "人工客服", "在线客服", "官方客服", "客服电话", "客服热线", "热线", "售后", "联系方式", "联系",
    "官网", "官方网站", "官方网址", "网址", "下载", "找回", "申诉", "投诉", "帮助", "帮助中心",
    "kefu", "rengong", "guanwang",
    "support", "customer service", "customer support", "customer care", "service", "help", "helpdesk",
    "help desk", "help center", "help centre", "contact", "hotline", "live chat", "official site",
    "official website", "website", "download",
})
# Words a search adds around them: not checkable, not a name.
FILLER_WORDS: frozenset[str] = frozenset({
    "钱包", "官方", "的", "怎么", "怎样", "如何", "找", "在哪", "在哪里", "哪里", "是什么", "是多少", "多少", "号码",
    "电话", "电话号码", "手机", "微信", "qq", "电报", "邮箱", "地址", "方式", "我", "要", "请问", "有没有", "吗",
    "app", "wallet", "official", "phone", "number", "email", "telegram", "wechat", "whatsapp", "team", "center",
    "how", "to", "the", "of", "what", "is", "where", "can", "i", "get", "find", "a", "for", "my", "me", "with",
})
_SEPARATOR = r"[\s\W_]+"


# Said with every answer: the words themselves are what fake support buys ads and pages for.
WARNING = Message(
    "Search results and ads for these words are full of fake \"TokenPocket support\": fake sites, phone "
    "numbers, QQ, WeChat and Telegram accounts. TokenPocket has no phone, QQ or WeChat support and never "
    "messages you first. Use only the official contacts below, typed by hand, never a link from a search or a chat.",
    "搜索这些词得到的结果和广告里，到处都是假冒的“TokenPocket 客服”：假网站、假电话、假 QQ、假微信和假电报账号。"
    "TokenPocket 没有电话、QQ 或微信客服，也从不主动私聊你。请只使用下面的官方联系方式，自己手动输入，"
    "不要点搜索结果或聊天里的链接。",
)


class SearchPhrase(InvalidInputError):
    """Text that is a search for TokenPocket's support, not a channel: presenters answer it
    with the official contacts (200 in the API, a page on the web) instead of an error.

    Still an :class:`InvalidInputError`, so a caller that knows nothing of it (a batch line,
    the CLI) shows it as a refusal whose message names the official contacts."""

    code = "search_phrase"

    def __init__(self, text: str, contacts: tuple[Channel, ...], registry: RegistryInfo) -> None:
        routes = ", ".join(c.value for c in contacts)
        super().__init__(
            f"{text[:80]!r} is a search for TokenPocket's support, not a channel to check. The official "
            f"contacts are {routes}. Search results and ads for these words are full of fake support.",
            code="search_phrase",
        )
        self.text, self.contacts, self.registry = text, contacts, registry
        self.params = {"routes": routes}  # error_text.py's Chinese sentence names them too

    def answer(self, lang: str = "en") -> dict[str, Any]:
        """The API's 200 answer (README "Check one input": kind ``search_phrase``). Contacts in
        the result object's channel shape (labels in both languages, as ``lookalike_of``)."""
        return {
            "input": self.text,
            "kind": "search_phrase",
            "contacts": [c.to_dict() for c in self.contacts],
            "warning": {"code": "search_results_fakes", "message": WARNING.zh if lang == "zh" else WARNING.en},
            "registry": self.registry.to_dict(),
        }


def _word(term: str) -> str:
    """A term as a pattern: ASCII words only between non-letters ("tp" is not inside "http")."""
    body = r"\s*".join(re.escape(part) for part in term.split())
    return rf"(?<![a-z0-9]){body}(?![a-z0-9])" if term.isascii() else body


class SearchPhrases:
    """Recogniser for one registry's brand terms (built once per Verifier)."""

    def __init__(self, brand_terms: Iterable[str]) -> None:
        brands = {t.lower() for t in brand_terms} | set(SHORT_BRAND_ALIASES)
        groups = (("brand", brands), ("support", SUPPORT_WORDS), ("filler", FILLER_WORDS))
        # Longest first across all groups, so "人工客服" is one support word, "tp钱包" one brand term.
        terms = sorted(((t, g) for g, ts in groups for t in ts), key=lambda tg: -len(tg[0]))
        self._group = {t: g for t, g in terms}
        self._token = re.compile(_SEPARATOR + "|" + "|".join(f"(?P<t{i}>{_word(t)})" for i, (t, _) in enumerate(terms)))
        self._names = [t for t, _ in terms]

    def matches(self, text: str) -> bool:
        """True when ``text`` is brand terms + support words + filler and nothing else."""
        folded = unicodedata.normalize("NFKC", text).casefold().strip()
        if not folded or len(folded) > MAX_CHARS:
            return False
        seen: set[str] = set()
        position = 0
        while position < len(folded):
            found = self._token.match(folded, position)
            if found is None or found.end() == position:
                return False  # something that is none of the words: a name, a number, a link
            if found.lastgroup:
                seen.add(self._group[self._names[int(found.lastgroup[1:])]])
            position = found.end()
        return {"brand", "support"} <= seen
