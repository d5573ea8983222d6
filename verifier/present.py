"""Text and JSON renderings of results, shared by the CLI (and later the web pages)."""

from __future__ import annotations

from typing import Any

import orjson

from verifier import error_text, messages
from verifier.model import Result

MARK = {
    "official": "✔",
    "unverified": "?",
}


def to_json_line(obj: Any) -> str:
    """One compact JSON line, UTF-8 text kept readable (Chinese messages stay Chinese).

    orjson: ~10x faster than ``json.dumps`` here, which is most of `check --jsonl`'s output
    cost; it also refuses lone surrogates instead of writing invalid UTF-8.
    """
    return orjson.dumps(obj).decode("utf-8")


def error_message(error: Any, lang: str = "en", where: str | None = None) -> str:
    """A refusal's words in ``lang``; a ``looks_like_message`` refusal also says where whole
    messages go for this presenter (``where``: ``api`` or ``cli``, error_text.SCAN_POINTER)."""
    text = error_text.of(error, lang)
    if error.code == "looks_like_message" and where in error_text.SCAN_POINTER:
        en, zh = error_text.SCAN_POINTER[where]
        text += zh if lang == "zh" else en
    return text


def error_object(text: str, error: Any, lang: str = "en", where: str | None = None) -> dict[str, Any]:
    """One refused input as a line of ``check --jsonl`` or an item of the API's batch."""
    return {"input": text, "error": {"code": error.code, "message": error_message(error, lang, where)}}


def render_text(result: Result, lang: str = "en") -> str:
    """A short human answer: the verdict first, then why, then what to do."""
    data = result.to_dict(lang)
    mark = MARK.get(result.verdict, "✘")
    lines = [f"{mark} {messages.verdict_text(result.verdict, lang)}: {result.input}"]
    what = result.kind if not result.platform else f"{result.kind} on {result.platform}"
    lines.append(f"  {'类型' if lang == 'zh' else 'kind'}: {what} → {result.normalized}   risk {result.risk}/100")
    for reason in data["reasons"]:
        lines.append(f"  - [{reason['code']}] {reason['message']}")
    if result.lookalike_of:
        label = result.lookalike_of["label"]["zh" if lang == "zh" else "en"]
        lead = "模仿的官方渠道" if lang == "zh" else "imitates"
        lines.append(f"  {lead}: {result.lookalike_of['value']} ({label})")
    page = result.details.get("page")
    if isinstance(page, dict):
        if "error" in page:
            lead = "页面未读取" if lang == "zh" else "page not read"
            lines.append(f"  {lead}: [{page['error']['code']}] {page['error']['message']}")
        else:
            lead = "页面读取于" if lang == "zh" else "page read at"
            origin = "来自" if lang == "zh" else "from"
            lines.append(f"  {lead} {page.get('read_at')} {origin} {page.get('address')} ({page.get('final_url')})")
            if page.get("cut"):  # a parse cap of verifier/deep/page_html.py: judged on the page's first part
                lines.append(f"  只读取了页面的前一部分（超过 {page['cut']} 上限）" if lang == "zh"
                             else f"  only the first part of the page was read (over the {page['cut']} cap)")
    lines.append(f"  {'建议' if lang == 'zh' else 'advice'}: {messages.short_advice(result, lang)}")
    return "\n".join(lines)


def render_policies(policies, lang: str = "en") -> str:
    """The registry's policies as a short list, printed once after the text answers."""
    title = "请记住（来自签名注册表）：" if lang == "zh" else "Remember (from the signed registry):"
    return "\n".join([title, *(f"  • {p.text.get(lang)}" for p in policies)])
