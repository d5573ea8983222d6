"""The e-mail check on the web: ``POST /api/v1/email`` and the zh/en page ``/email``.

Thin presenters over :func:`verifier.mailauth.analyse`, with the DNS lookup of
:mod:`verifier.deep.mail_dns` (``VERIFIER_DNS_NAMESERVERS``), built once per app.

* ``POST /api/v1/email`` ``{"message": str, "lang"?}`` → the object of ``verifier email --json``.
  ``message`` over 2 MiB of UTF-8 is ``422 input_too_long``; a body over
  :data:`MAX_BODY` is ``413 too_large`` (this route's own cap: the app's 256 KiB is for the
  other routes). Not a message: ``422 not_an_email``; past the header/part caps:
  ``422 email_too_complex``.
* ``GET /email``: the form (a textarea, and an ``.eml`` upload); ``POST /email`` (form, or
  multipart with the file) → the result page. Bad input is a 422 page in the person's
  language, never a 500.

Privacy: the message is never stored or logged; the check log gets one row with the From
domain and the verdict only (kind ``email_message``, no reasons, no address).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, Response, current_app, g, request
from werkzeug.exceptions import RequestEntityTooLarge

from verifier import mailauth, present
from verifier.errors import InvalidInputError
from verifier.strictjson import loads_strict
from verifier.web import api
from verifier.web.context import loaded, settings
from verifier.web.problems import ApiError, problem

api_bp = Blueprint("email_api", __name__)
bp = Blueprint("email", __name__, template_folder="templates")

#: The JSON body (or the form) of one e-mail check: 2 MiB of message with room for escaping.
MAX_BODY = 6 * 1024 * 1024
MESSAGE = api.Field("message", (str,), "a string", required=True, max_length=mailauth.MAX_BYTES,
                    too_long_code="input_too_long", min_length=1)
EMAIL_FIELDS = (MESSAGE, api.LANG)
EXTENSION = "verifier_mail_lookup"
LOG_KIND = "email_message"

#: The page's own words (en, zh): kept here, beside the page, not in the shared i18n table.
TEXT: dict[str, tuple[str, str]] = {
    "mode_link": ("Got an e-mail from \"TokenPocket\"? Check who really sent it",
                  "收到“TokenPocket”的邮件？检查它到底是谁发的"),
    "title": ("Did this e-mail really come from TokenPocket?", "这封邮件真的来自 TokenPocket 吗？"),
    "intro": ("Paste the whole original message, or upload the .eml file. We verify its DKIM signatures "
              "ourselves, with the keys TokenPocket's mail domain publishes in DNS.",
              "粘贴整封邮件的原文，或上传 .eml 文件。我们会用 TokenPocket 邮件域名在 DNS 中公布的公钥，亲自验证邮件的 DKIM 签名。"),
    "how": ("Gmail: ⋮ → \"Show original\" → copy. Outlook: … → View → \"View message source\". Apple Mail: "
            "View → Message → Raw Source. The headers alone also work.",
            "Gmail：⋮ →“显示原始邮件”→ 复制。Outlook：… → 查看 →“查看邮件源”。Apple 邮件：显示 → 邮件 → 原始邮件源。只粘贴邮件头也可以。"),
    "paste_label": ("The original message (headers and body)", "邮件原文（邮件头和正文）"),
    "file_label": ("…or an .eml file", "……或 .eml 文件"),
    "submit": ("Check the sender", "检查发件人"),
    "privacy": ("The message is not stored or logged.", "邮件不会被保存或记录。"),
    "result_title": ("Who sent this e-mail", "这封邮件是谁发的"),
    "from": ("From", "发件人"),
    "subject": ("Subject", "主题"),
    "why": ("Why", "原因"),
    "signatures": ("DKIM signatures, verified here", "DKIM 签名（由本服务验证）"),
    "no_signatures": ("No DKIM signature.", "没有 DKIM 签名。"),
    "sig_pass": ("verifies", "验证通过"),
    "sig_fail": ("fails", "验证失败"),
    "sig_unavailable": ("not checked (DNS)", "未能验证（DNS）"),
    "aligned": ("aligned with the sender", "与发件人一致"),
    "not_aligned": ("another domain", "其他域名"),
    "receiver": ("What receiving servers wrote (shown, not trusted)", "收件服务器写下的结果（仅展示，不采信）"),
    "receiver_note": ("Authentication-Results lines are text inside the message: a sender can write them. The "
                      "verdict above comes only from our own verification.",
                      "Authentication-Results 是邮件里的文字，发件人可以自己写。上面的结论只来自本服务自己的验证。"),
    "replies": ("Replies and bounces", "回复和退信地址"),
    "reply_to": ("Reply-To", "回复地址"),
    "return_path": ("Return-Path", "退信地址"),
    "contacts": ("mailto: and tel: links in the message", "邮件中的 mailto: 和 tel: 链接"),
    "attachments": ("Attachments (named, never opened)", "附件（只列名称，不会打开）"),
    "body": ("The body: links, accounts, addresses and scam signs", "正文：链接、账号、地址和诈骗迹象"),
    "body_none": ("No body was given (headers only).", "没有提供正文（只有邮件头）。"),
    "proves": ("What this proves: a verified, aligned signature means TokenPocket's mail domain signed these headers "
               "and this text. It does not prove the content is safe, and it does not make any link in it safe to "
               "open: TokenPocket never asks for your seed phrase or private key.",
               "这能证明什么：签名验证通过且与发件人一致，说明 TokenPocket 的邮件域名签署了这些邮件头和这段正文。它不能证明内容安全，"
               "也不能说明其中的链接可以打开：TokenPocket 绝不会索要你的助记词或私钥。"),
    "check_another": ("Check another e-mail", "检查另一封邮件"),
    "invalid_title": ("We could not check this", "无法检查这段内容"),
}


def text(key: str, lang: str) -> str:
    pair = TEXT[key]
    return pair[1] if lang == "zh" else pair[0]


def _lookup():
    lookup = current_app.extensions.get(EXTENSION)
    if lookup is None:
        from verifier.deep.mail_dns import lookup_for

        lookup = current_app.extensions[EXTENSION] = lookup_for(settings())
    return lookup


def _analyse(message: str | bytes, source: str) -> mailauth.EmailResult:
    result = mailauth.analyse(message, loaded().verifier, _lookup())
    _log(result, source)
    return result


class _LogRow:
    """What the check log keeps of an e-mail check: the From domain and the verdict, nothing else."""

    __slots__ = ("kind", "platform", "normalized", "verdict", "reasons")

    def __init__(self, result: mailauth.EmailResult) -> None:
        self.kind, self.platform, self.normalized = LOG_KIND, None, result.from_domain or ""
        self.verdict, self.reasons = result.verdict, ()


def _log(result: mailauth.EmailResult, source: str) -> None:
    from verifier.state import checklog

    checklog.record(_LogRow(result), source)


# ---------------------------------------------------------------------------------------------
# The API.


def _email_body() -> dict[str, Any]:
    """The JSON body of /email: the same rules as the API's other routes (415, 400, 422), with
    this route's own size cap."""
    request.max_content_length = MAX_BODY
    mimetype = request.mimetype
    charset = request.mimetype_params.get("charset", "utf-8").lower()
    if mimetype != "application/json" or charset not in ("utf-8", "utf8"):
        sent = request.headers.get("Content-Type", "")
        raise ApiError(
            f"send the body as application/json (UTF-8); got {present.to_json_line(sent[:100]) if sent else 'no Content-Type'}",
            code="unsupported_media_type", status=415, params={"sent": sent[:100] or "-"},
        )
    raw = request.get_data(cache=False)
    if request.content_length is None and len(raw) >= MAX_BODY:
        raise RequestEntityTooLarge()  # chunked and at the cap: refused, never parsed truncated
    data = loads_strict(raw)
    if not isinstance(data, dict):
        raise ApiError("the body must be a JSON object", code="invalid_body", status=422)
    if isinstance(data.get("lang"), str) and data["lang"] in api.LANGS:
        g.api_lang = data["lang"]  # errors below answer in the asked language
    return api._validate(data, EMAIL_FIELDS)


@api_bp.post("/email")
def email_post() -> Response:
    fields = _email_body()
    lang = api.language(fields.get("lang"))
    try:
        result = _analyse(fields["message"], "api")
    except InvalidInputError as err:
        return problem(422, err.code, mailauth.error_message(err, lang), localised=True)
    return api.json_response(result.to_dict(lang))


# ---------------------------------------------------------------------------------------------
# The page.


def _page(template: str, status: int = 200, **context: Any) -> Response:
    from verifier.web.pages import _render

    lang = _lang()
    return _render(template, status, et=lambda key: text(key, lang), **context)


def _lang() -> str:
    from verifier.web import i18n

    lang, _ = i18n.choose(request, settings().lang)
    return lang


@bp.get("/email")
def page() -> Response:
    return _page("email.html")


@bp.post("/email")
def page_post() -> Response:
    request.max_content_length = MAX_BODY
    lang = _lang()
    upload = request.files.get("eml")
    message: str | bytes = request.form.get("message", "")
    if upload is not None and upload.filename:
        message = upload.read(mailauth.MAX_BYTES + 1)  # bytes as they are: 8-bit bodies stay signed
    try:
        result = _analyse(message, "web")
    except InvalidInputError as err:
        return _page("email.html", 422, error=mailauth.error_message(err, lang), error_code=err.code,
                     pasted=message if isinstance(message, str) else "")
    data = result.to_dict(lang)
    tone = {"official_sender": "good", "unverifiable": "warn"}.get(result.verdict, "bad")
    return _page("email_result.html", result=data, tone=tone)


def describe(doc: dict[str, Any], *, object_schema, body, ok, problems, lang_header, body_errors) -> None:
    """Add ``POST /api/v1/email`` to the OpenAPI document (openapi.py's helpers passed in)."""
    reason = {"type": "object", "required": ["code", "message"],
              "properties": {"code": {"type": "string"}, "message": {"type": "string"}, "params": {"type": "object"}}}
    doc["components"]["schemas"]["EmailRequest"] = object_schema(EMAIL_FIELDS)
    doc["components"]["schemas"]["EmailResult"] = {
        "type": "object",
        "required": ["verdict", "verdict_text", "risk", "reasons", "advice", "from", "dkim", "receiver_said",
                     "reply_to", "attachments", "body", "headers_only"],
        "properties": {
            "verdict": {"enum": list(mailauth.VERDICTS)},
            "verdict_text": {"type": "string"}, "risk": {"type": "integer", "minimum": 0, "maximum": 100},
            "reasons": {"type": "array", "items": reason}, "advice": {"type": "string"},
            "from": {"type": ["object", "null"]}, "subject": {"type": ["string", "null"]},
            "dkim": {"type": "array", "items": {"type": "object", "properties": {
                "domain": {"type": "string"}, "selector": {"type": "string"}, "algorithm": {"type": "string"},
                "result": {"enum": ["pass", "fail", "unavailable"]}, "aligned": {"type": "boolean"},
                "headers_only": {"type": "boolean"}, "reason": reason}}},
            "dmarc": {"type": ["object", "null"]}, "arc": {"type": ["object", "null"]},
            "receiver_said": {"type": "array", "items": {"type": "object"},
                              "description": "The message's Authentication-Results lines: shown, never trusted."},
            "reply_to": {"type": "array", "items": {"type": "string"}}, "return_path": {"type": ["string", "null"]},
            "contact_links": {"type": "array", "items": {"type": "object"}},
            "attachments": {"type": "array", "items": {"type": "object"}},
            "body": {"anyOf": [{"$ref": "#/components/schemas/ScanResult"}, {"type": "null"}]},
            "headers_only": {"type": "boolean"},
        },
    }
    doc["paths"]["/api/v1/email"] = {"post": {
        "operationId": "email",
        "summary": "Who really sent this e-mail? DKIM verified here, aligned with an official From domain",
        "description": f"`message`: the raw message or its header block, at most {mailauth.MAX_BYTES} bytes of UTF-8 "
                       f"(more: 422 `input_too_long`); bodies up to {MAX_BODY} bytes (more: 413). 422 `not_an_email` "
                       "without a From header; 422 `email_too_complex` past the header and part caps.",
        "parameters": [lang_header],
        "requestBody": body("EmailRequest", "The raw message."),
        "responses": {**ok({"$ref": "#/components/schemas/EmailResult"}, "The e-mail's verdict and why."),
                      **problems(*body_errors)},
    }}


def init_app(app: Flask) -> None:
    """Register the API route, the page, and ``email_text`` for every template (the index links here)."""
    app.register_blueprint(api_bp, url_prefix="/api/v1")
    app.register_blueprint(bp)

    @app.context_processor
    def email_words() -> dict[str, Any]:
        return {"email_text": lambda key: text(key, _lang())}
