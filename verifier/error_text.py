"""Every error's title and words in English and Chinese, by its stable code.

An error is raised with its English message (the CLI's and logs' words) and, where the words
need them, ``params`` (the echoed input, a length, a field name). Presenters that know the
person's language ask :func:`detail` and :func:`title`: English is the raised message itself;
Chinese is this table's template, filled from ``params``. A code's templates are tried in
order and the first whose fields the error carries is used, so an error raised without a
param still gets a Chinese sentence (without the detail), never English in a zh answer.

Pure: no Flask, no network (tests/test_core_purity.py).
"""

from __future__ import annotations

import re
from typing import Any, Mapping

LANGS = ("en", "zh")

#: code → (English title, Chinese title). problem+json ``title``: a short, fixed summary.
TITLES: dict[str, tuple[str, str]] = {
    "bad_json": ("Bad JSON", "JSON 格式错误"),
    "bad_request": ("Bad request", "请求格式错误"),
    "invalid_body": ("Invalid body", "请求体无效"),
    "unknown_field": ("Unknown field", "未知字段"),
    "missing_field": ("Missing field", "缺少字段"),
    "invalid_field": ("Invalid field", "字段无效"),
    "field_too_long": ("Field too long", "字段过长"),
    "no_items": ("No items", "没有要查询的项"),
    "too_many_items": ("Too many items", "项数过多"),
    "unsupported_media_type": ("Unsupported media type", "不支持的内容类型"),
    "too_large": ("Request body too large", "请求体过大"),
    "uri_too_long": ("Request line too long", "请求行过长"),
    "headers_too_large": ("Request headers too large", "请求头过大"),
    "not_found": ("Not found", "未找到"),
    "method_not_allowed": ("Method not allowed", "不支持此请求方法"),
    "not_acceptable": ("Not acceptable", "无法提供所需格式"),
    "rate_limited": ("Rate limited", "请求过于频繁"),
    "invalid_api_key": ("Invalid API key", "API 密钥无效"),
    "api_key_required": ("API key required", "需要 API 密钥"),
    "admin_required": ("Admin API key required", "需要管理员 API 密钥"),
    "deep_check_unavailable": ("Deep check unavailable", "深度检查不可用"),
    "deep_check_busy": ("Deep check busy", "深度检查繁忙"),
    "input_too_long": ("Input too long", "内容过长"),
    "not_an_email": ("Not an e-mail message", "不是邮件原文"),
    "email_too_complex": ("E-mail too complex", "邮件结构过于复杂"),
    "empty_input": ("Empty input", "内容为空"),
    "invalid_input": ("Invalid input", "内容无效"),
    "invalid_text": ("Invalid text", "文本无效"),
    "unrecognised_input": ("Unrecognised input", "无法识别的内容"),
    "unknown_platform": ("Unknown platform", "未知平台"),
    "looks_like_message": ("Looks like a message", "这像是一整段消息"),
    "search_phrase": ("Search phrase", "这是搜索词"),
    "invalid_email": ("Invalid email address", "邮箱地址无效"),
    "invalid_url": ("Invalid link", "链接无效"),
    "invalid_host": ("Invalid host name", "域名无效"),
    "invalid_handle": ("Invalid account name", "账号无效"),
    "invalid_phone": ("Invalid phone number", "电话号码无效"),
    "invalid_wallet_address": ("Invalid wallet address", "钱包地址无效"),
    "report_not_found": ("Report not found", "未找到该举报"),
    "state_unavailable": ("Service data unavailable", "服务数据暂不可用"),
    "internal_error": ("Internal error", "内部错误"),
}

EXPECTED_ZH = "请输入链接、域名、邮箱地址、@账号、电话号码或钱包地址"

#: code → Chinese templates, most specific first (fields from the error's ``params``).
ZH: dict[str, tuple[str, ...]] = {
    "bad_json": ("请求体不是严格的 JSON：{reason_zh}", "请求体不是严格的 JSON"),
    "bad_request": ("请求不是格式正确的 HTTP，未做任何查询",),
    "invalid_body": ("请求体必须是 JSON 对象，而不是 {type}", "请求体必须是 JSON 对象"),
    "unknown_field": ("未知字段 {shown}；可用字段：{accepted}", "未知字段"),
    "missing_field": ("缺少字段 “{field}”", "缺少必填字段"),
    "invalid_field": ("字段 “{field}” 的类型或取值不对（应为 {expected}）", "字段 “{field}” 的类型或取值不对",
                      "字段的类型或取值不对"),
    "field_too_long": ("字段 “{field}” 长 {length} 个字符，最多 {limit} 个", "字段过长"),
    "no_items": ("“inputs” 为空；请发送 1 到 {limit} 项", "“inputs” 为空"),
    "too_many_items": ("共 {count} 项；每次最多 {limit} 项", "项数过多"),
    "unsupported_media_type": ("请以 application/json（UTF-8）发送请求体；收到的是 {sent}",
                               "请以 application/json（UTF-8）发送请求体"),
    "too_large": ("请求体超过本服务接受的 {limit} 字节", "请求体过大"),
    "uri_too_long": ("请求行超过本服务读取的长度；较长的内容请用 POST 提交",),
    "headers_too_large": ("请求头超过本服务读取的大小；请减少或缩短请求头",),
    "not_found": ("没有这个地址：{path}", "没有这个地址"),
    "method_not_allowed": ("此地址不支持 {method}；可用：{allowed}", "此地址不支持该请求方法"),
    "not_acceptable": ("无法以所要求的格式回答",),
    "rate_limited": ("{what_zh}过多（{limit_zh}）；请在 {wait} 秒后再试，或申请 API 密钥（更高的限额）", "请求过多，请稍后再试"),
    "invalid_api_key": ("Authorization 请求头中的 API 密钥未知或已吊销；请发送 “Authorization: Bearer <密钥>” 并使用有效的密钥，"
                        "或完全不带 Authorization 请求头",),
    "api_key_required": ("此接口需要管理员 API 密钥：请发送 “Authorization: Bearer <密钥>”",),
    "admin_required": ("API 密钥 {prefix}... 不是管理员密钥（`verifier apikey create --admin`）", "此 API 密钥不是管理员密钥"),
    "deep_check_unavailable": ("此版本不提供深度检查（读取网页）；请去掉 “deep”（或设为 false）再发送",),
    "deep_check_busy": ("服务器正在读取的网页已达上限；请在 {wait} 秒后再试，或不带 “deep” 查询（不会等待）",
                        "服务器正在读取的网页已达上限；请稍后再试，或不带 “deep” 查询"),
    "input_too_long": ("内容长 {length} 个字符，最多 {limit} 个", "内容过长"),
    "empty_input": ("内容为空；" + EXPECTED_ZH,),
    "invalid_input": ("无法查询这段内容；" + EXPECTED_ZH,),
    "invalid_text": ("内容含有无效的 Unicode 字符（或不是 UTF-8 文本）",),
    "unrecognised_input": ("无法查询 {shown}；" + EXPECTED_ZH, "无法识别这段内容；" + EXPECTED_ZH),
    "unknown_platform": ("未知平台 {platform}；可用：{known}", "未知平台"),
    "looks_like_message": ("这像是一整段消息（多个词语、句子，或地址前后有文字），而不是单个链接、地址或账号",),
    "search_phrase": ("这是寻找 TokenPocket 客服的搜索词，不是可查询的渠道。官方联系方式：{routes}。这些词的搜索结果和广告里满是假客服。",
                      "这是寻找 TokenPocket 客服的搜索词，不是可查询的渠道。这些词的搜索结果和广告里满是假客服。"),
    "invalid_email": ("{shown} 不是有效的邮箱地址；" + EXPECTED_ZH, "这不是有效的邮箱地址；" + EXPECTED_ZH),
    "invalid_url": ("{shown} 不是有效的链接；应为 https://tokenpocket.pro/ 这样的链接", "这不是有效的链接"),
    "invalid_host": ("{shown} 不是有效的域名", "这不是有效的域名"),
    "invalid_handle": ("{shown} 不是有效的账号名", "这不是有效的账号名"),
    "invalid_phone": ("{shown} 不是有效的电话号码", "这不是有效的电话号码"),
    "invalid_wallet_address": ("{shown} 不是有效的钱包地址", "这不是有效的钱包地址"),
    "report_not_found": ("没有编号为 {id} 的举报", "没有这个举报"),
    "state_unavailable": ("服务暂时无法读取或写入数据；请稍后再试",),
    "internal_error": ("服务处理此请求时出错；已记录",),
}

#: strictjson's sub-codes of ``bad_json`` (its ``reason``), in Chinese.
BAD_JSON_REASONS_ZH = {
    "syntax": "语法错误", "constant": "含有 NaN、Infinity 或超出范围的数字", "duplicate_key": "对象中有重复的键",
    "surrogate": "含有单独的代理字符（如 \\ud800）", "too_deep": "嵌套超过 64 层", "encoding": "不是 UTF-8 编码（或带 BOM）",
}

#: What each presenter adds to ``looks_like_message``: where whole messages go.
SCAN_POINTER = {
    "api": ("; send the whole text to POST /api/v1/scan, which checks every link, address and account in it "
            "and lists the scam phrases", "；请把整段文字发送到 POST /api/v1/scan，它会检查其中的每个链接、地址和账号，并列出诈骗话术"),
    "cli": ("; scan it with `verifier scan` (a file, or - for standard input)", "；请用 `verifier scan` 扫描（文件，或 - 表示标准输入）"),
}


_RATE = re.compile(r"(\d+) per (\d+) (second|minute|hour|day)s?")
_UNIT_ZH = {"second": "秒", "minute": "分钟", "hour": "小时", "day": "天"}


def rate_zh(limit: str) -> str:
    """``3 per 1 minute`` (the limits library's words) as ``每 1 分钟 3 次``."""
    found = _RATE.fullmatch(limit.strip())
    if found is None:
        return limit
    return f"每 {found[2]} {_UNIT_ZH[found[3]]} {found[1]} 次"


class _Params(dict):
    def __missing__(self, key: str) -> str:
        raise KeyError(key)


def title(code: str, lang: str = "en") -> str:
    """The problem+json ``title`` of ``code`` in ``lang`` (a fixed summary, not the detail)."""
    pair = TITLES.get(code)
    if pair is None:
        return code.replace("_", " ").capitalize()
    return pair[1] if lang == "zh" else pair[0]


def detail(code: str, message: str, params: Mapping[str, Any] | None = None, lang: str = "en") -> str:
    """The error's words in ``lang``: ``message`` itself in English; in Chinese the first of
    the code's templates that ``params`` can fill (``{en}`` is the English message)."""
    if lang != "zh":
        return message
    values = _Params(params or {})
    values["en"] = message
    for template in ZH.get(code, ()):
        try:
            return template.format_map(values)
        except KeyError:
            continue
    return f"无法处理此请求（{code}）"


def of(error: Any, lang: str = "en") -> str:
    """:func:`detail` of a raised :class:`verifier.errors.VerifierError`."""
    params = dict(getattr(error, "params", None) or {})
    reason = getattr(error, "reason", None)
    if reason in BAD_JSON_REASONS_ZH:
        params.setdefault("reason_zh", BAD_JSON_REASONS_ZH[reason])
    return detail(error.code, error.message, params, lang)
