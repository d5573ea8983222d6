"""The web checker's pages (zh/en HTML): ``/``, ``/check``, ``/bookmarklet``, ``POST /report``
and ``/report/<id>`` (where a report stands).

Thin presenters over ``Verifier.check``, ``scan`` and :mod:`verifier.page`. Every page is a
Jinja template (autoescaped), with no inline script or style, so the CSP of
:mod:`verifier.web.security` can forbid both. Invalid input is a kind 422 page, never a 500.

``/check`` decides what it was given:

* one item (a link, domain, email address, handle, phone number, wallet address) → its result;
* text that is not one item but is several words, several lines or long → a message: ``scan``;
  so is a sentence of three words or more that classify could read as one item only by
  removing its spaces (``whitespace_in_input``: "Hello, the site is https://…" is a message,
  while a link split in two, ``https://token pocket.pro``, stays one item and is flagged);
* anything else → the 422 page saying what was expected.

With ``page`` (the bookmarklet's summary), the page's signs are listed under "what the page
shows" and raise the shown verdict (:func:`verifier.page.raise_verdict`).
"""

from __future__ import annotations

from typing import Any
from flask import Blueprint, Response, current_app, redirect, render_template, request, url_for
from werkzeug.exceptions import HTTPException, NotFound, TooManyRequests

from verifier import error_text, messages, page, platforms

from verifier.state import checklog
from verifier.deep.checker import DeepCheckBusy
from verifier.errors import InvalidInputError, StateError
from verifier.model import Result
from verifier.state.reports import MAX_WHAT_HAPPENED
from verifier.scan import ScanResult, scan
from verifier.search_phrase import WARNING as SEARCH_WARNING, SearchPhrase
from verifier.web import bookmarklet, i18n
from verifier.web.context import loaded, settings
from verifier.web.origin import public_origin

bp = Blueprint("pages", __name__, template_folder="templates", static_folder="static", static_url_path="/static")

MESSAGE_MIN_CHARS = 80  # rejected text at least this long is read as a message
SENTENCE_MIN_WORDS = 3  # accepted only by removing spaces, and this many words: a message
# The report form (SECURITY.md #10, no sessions): browsers say where a POST comes from in
# Sec-Fetch-Site; older ones send Origin. Anything but this site itself is refused.
SAME_SITE_FETCH = ("same-origin", "none")
# Refusals that are not about the text's shape: such text is never read as a message.
NOT_A_MESSAGE = {"unknown_platform", "empty_input", "invalid_text"}
VERDICT_ICON = {"official": "✔", "unverified": "?"}
DEEP_ON = ("1", "on", "true")  # values of ``deep`` that ask for the page to be read (limits.py counts them)
VERDICT_TONE = {"official": "good", "unverified": "warn"}
MESSAGE_REPORT_CHANNELS = 10  # channels one report from a message sends at most (each is its own report)
REPORT_TEXT_MAX = MAX_WHAT_HAPPENED  # the pre-filled "what happened" fits the report's own cap


def _lang() -> str:
    lang, _ = i18n.choose(request, settings().lang)
    return lang


def _render(template: str, status: int = 200, **context: Any) -> Response:
    lang, from_query = i18n.choose(request, settings().lang)
    registry = loaded().verifier.registry
    page_html = render_template(
        template,
        lang=lang,
        t=lambda key, **params: i18n.text(key, lang, **params),
        verdict_text=lambda verdict: messages.verdict_text(verdict, lang),
        policies=[p.text.get(lang) for p in registry.policies],
        channels=_channels(lang),
        registry=registry,
        expired=registry.is_expired(loaded().verifier.clock()),
        switch_url=_switch_url,
        ui_en=lambda key: i18n.text(key, "en"),
        ui_zh=lambda key: i18n.text(key, "zh"),
        date_text=lambda stamp, with_time=False: i18n.date_text(stamp, lang, with_time=with_time),
        platform_name=lambda key: _platform_name(key, lang),
        **context,
    )
    response = Response(page_html, status=status, mimetype="text/html")
    response.headers["Content-Language"] = "zh-CN" if lang == "zh" else "en"
    response.headers["Vary"] = "Accept-Language, Cookie"
    if from_query:
        i18n.remember(response, lang, secure=request.is_secure)
    return response


def _switch_url(lang: str) -> str:
    """This page in another language (keeps the query, so a result stays on screen)."""
    args = {**(request.view_args or {}), **request.args.to_dict()}  # path parts too (/report/<id>)
    args["lang"] = lang
    if request.method == "POST":  # a long message came by POST: switching shows the home page
        return url_for("pages.index", lang=lang)
    return url_for(request.endpoint or "pages.index", **args)


def _platform_name(key: str | None, lang: str) -> str:
    """A platform or chain key ("telegram", "evm") as the reader names it ("Telegram（电报）")."""
    from verifier.inputs.wallet import CHAIN_NAMES

    where = platforms.get_platform(key) if key else None
    if where is not None:
        return where.name_zh if lang == "zh" else where.name
    if key in CHAIN_NAMES:
        return CHAIN_NAMES[key][1 if lang == "zh" else 0]
    return key or ""


def _channels(lang: str) -> list[dict[str, str]]:
    """The official channels to use instead: the main contacts, then websites, email, accounts."""
    verifier = loaded().verifier
    first = [c.id for c in verifier.index.contacts]  # the main website, help centre, support email
    order = {"domain": 0, "email": 1, "handle": 2}
    chosen = [c for c in verifier.registry.channels if c.active]
    chosen.sort(key=lambda c: (c.id not in first, first.index(c.id) if c.id in first else 0, order.get(c.kind, 3)))
    out = []
    for c in chosen:
        # Links only where the address is the channel itself; accounts are shown as text
        # (platform + name), so the page never invents a profile URL.
        href = f"https://{c.value}/" if c.kind == "domain" else f"mailto:{c.value}" if c.kind == "email" else ""
        name = _platform_name(c.platform, lang)
        out.append({"label": c.label.get(lang), "value": c.value, "kind": c.kind, "platform": name, "href": href})
    return out


@bp.get("/")
def index() -> Response:
    return _render("index.html", platforms=_platform_choices())


def _platform_choices() -> list[tuple[str, str]]:
    return [(p.key, p.name) for p in platforms.PLATFORMS]


def _is_message(text: str) -> bool:
    """Refused text worth scanning: several words, several lines, or long."""
    stripped = text.strip()
    return "\n" in stripped or len(stripped.split()) >= 2 or len(stripped) >= MESSAGE_MIN_CHARS


def _sentence(text: str) -> bool:
    """Accepted text that is really a sentence: three words or more, or long with spaces.
    (A link split in two, "https://token pocket.pro", stays one item and is flagged for it.)"""
    words = text.split()
    return len(words) >= SENTENCE_MIN_WORDS or (len(words) >= 2 and len(text.strip()) >= MESSAGE_MIN_CHARS)


@bp.errorhandler(TooManyRequests)
def too_many(err: TooManyRequests) -> Response:
    """The report form or the deep check over its limit (limits.py): a calm page, not problem+json.
    Over the deep check's limit, the page offers the check without reading the page (not limited)."""
    from verifier.web.limits import retry_after

    wait = retry_after(current_app)
    deep = request.path == "/check"
    plain_check = None
    if deep:  # the same input without deep (a POSTed message is not put in a URL: the home page)
        text = request.args.get("input") if request.method == "GET" else None
        plain_check = (url_for("pages.check", input=text, platform=request.args.get("platform") or None)
                       if text else url_for("pages.index"))
    response = _render("limited.html", status=429, seconds=wait, deep=deep, plain_check=plain_check)
    response.headers["Retry-After"] = str(wait)
    return response


@bp.app_errorhandler(NotFound)
def not_found(err: NotFound) -> Response:
    """A page asked for a path that does not exist: a calm zh/en page with the paste box, not
    problem+json (a person followed a broken link). ``/api/`` paths keep problem+json: the app's
    HTTPException handler (problems.py) answers them as before."""
    if request.path.startswith("/api/"):
        return current_app.error_handler_spec[None][None][HTTPException](err)
    return _render("not_found.html", status=404)


# API answers of check endpoints only: a search phrase given as a report's channel stays a refusal.
SEARCH_ANSWERED = ("api.check_get", "api.check_post")


@bp.app_errorhandler(SearchPhrase)
def search_phrase_answer(err: SearchPhrase) -> Response:
    """``GET|POST /api/v1/check`` with "tp钱包客服": 200 with kind ``search_phrase``, the official
    contacts and a warning (README "Check one input"); anywhere else the refusal it also is."""
    from verifier.web.api import json_response, language
    from verifier.web.problems import problem

    if request.endpoint not in SEARCH_ANSWERED:
        return problem(err.status, err.code, err.message)
    # The JSON body was read once (uncached) by api.py: the language is ?lang= or Accept-Language.
    asked = request.args.get("lang")
    return json_response(err.answer(language(asked if asked in messages.LANGS else None)))


@bp.route("/check", methods=["GET", "POST"])
def check() -> Response:
    values = request.form if request.method == "POST" else request.args
    if "input" not in values:
        return redirect(url_for("pages.index"), code=303)  # type: ignore[return-value]
    text = values.get("input", "")
    platform = values.get("platform") or None
    lang = _lang()
    verifier = loaded().verifier
    try:
        result = verifier.check(text, platform=platform)
        if _sentence(text) and any(o.get("code") == "whitespace_in_input" for o in result.details.get("observations", [])):
            # classify read a sentence as one link by removing its spaces: it is a message.
            return _message_page(scan(text, verifier), text)
    except SearchPhrase:
        # "tp钱包客服": the words victims search support with. Answered with where support really is.
        return _render("search.html", text=text, warning=SEARCH_WARNING.zh if lang == "zh" else SEARCH_WARNING.en)
    except InvalidInputError as err:
        # looks_like_message: the core's own reading (CJK text around an address has no spaces)
        if err.code == "looks_like_message" or (err.code not in NOT_A_MESSAGE and _is_message(text)):
            try:
                return _message_page(scan(text, verifier), text)
            except InvalidInputError as scan_err:
                err = scan_err
        # The details in the page's language (error_text.py), never the API's English sentence.
        return _render("invalid.html", status=422, text=text, error_code=err.code, error_message=error_text.of(err, lang))
    checklog.record(result, "web")  # one value checked (a message shown as such is not logged)
    if values.get("deep") in DEEP_ON:
        try:
            result = current_app.extensions["verifier_deep_checker"].deepen(result)
        except DeepCheckBusy as busy:
            return _deep_busy(busy, text if request.method == "GET" else None, platform)
    return _result_page(result, values.get("page"), lang, platform=platform)


def _deep_busy(busy: DeepCheckBusy, text: str | None, platform: str | None) -> Response:
    """Every page-reading slot is taken (verifier/deep/checker.py): a calm page in the person's language
    with the check of the address alone, which never waits; 503 with Retry-After, not an error.
    A POSTed text is not put into a link (as on the 429 page): the home page instead."""
    plain_check = url_for("pages.check", input=text, platform=platform) if text else url_for("pages.index")
    response = _render("deep_busy.html", status=503, seconds=busy.retry_after, plain_check=plain_check)
    response.headers["Retry-After"] = str(busy.retry_after)
    return response


def _result_page(result: Result, raw_summary: str | None, lang: str, *, platform: str | None = None) -> Response:
    data = result.to_dict(lang)
    details = data.get("details") or {}
    summary, notes = page.read_summary(raw_summary)
    page_reasons = notes
    if summary is not None:
        page_reasons = page.analyse_summary(summary, details.get("host", ""), loaded().verifier)
    verdict, risk = page.raise_verdict(result.verdict, result.risk, page_reasons)
    hidden = [o.get("detail", "") for o in details.get("observations", []) if o.get("code") == "hidden_characters"]
    hidden += [r["params"].get("visible", "") for r in data["reasons"] if r["code"] == "hidden_characters" and r.get("params")]
    return _render(
        "result.html",
        result=data,
        verdict=verdict,
        risk=risk,
        tone=VERDICT_TONE.get(verdict, "bad"),
        icon=VERDICT_ICON.get(verdict, "✘"),
        kind=i18n.kind_name(result.kind, lang),
        lookalike=_entry(result.lookalike_of, lang),
        channel=_entry(result.channel, lang),
        idn=_idn(details),
        hidden=list(dict.fromkeys(h for h in hidden if h)),
        page_given=raw_summary is not None and raw_summary.strip() != "",
        page_reasons=[messages.render_reason(r, lang) for r in page_reasons],
        deep_page=details.get("page"),
        deep_cut=_cut_text(details.get("page"), lang),
        deep_reasons=[r for r in data["reasons"] if r["code"] in page.BY_CODE],
        advice=messages.short_advice(result, lang),
        report=verdict != "official",
        report_platform=platform or "",
    )


def _cut_text(facts: dict[str, Any] | None, lang: str) -> str | None:
    """What a parse cap cut off a page that was read (``details.page.cut``), in words."""
    from verifier.deep.page_html import ParseLimits

    cut = (facts or {}).get("cut")
    if cut == "bytes":
        return i18n.text("page_cut_bytes", lang, limit=f"{ParseLimits().max_bytes // (1024 * 1024)} MiB")
    if cut == "elements":
        return i18n.text("page_cut_elements", lang, limit=f"{ParseLimits().max_elements:,}")
    return None


def is_scam(found: ScanResult) -> bool:
    """A message to head "This is a scam": a fake channel in it, or scam signs that argue for a
    verdict (one weak sign alone, which changes no verdict, is not enough)."""
    return found.verdict == "impersonation" or (found.verdict == "suspicious" and bool(found.signals))


def _report_text(found: ScanResult, lang: str) -> str:
    """The message form's "what happened", pre-filled (editable): the scam phrases found, which
    say what the message asked for; never the whole message (it may hold the victim's details)."""
    phrases = ("；" if lang == "zh" else "; ").join(dict.fromkeys(s.match.strip()[:80] for s in found.signals if s.match.strip()))
    text = i18n.text("scam_report_text", lang)
    if phrases:
        text += " " + i18n.text("scam_report_phrases", lang, phrases=phrases)
    return text[: REPORT_TEXT_MAX]


def _message_page(found: ScanResult, text: str) -> Response:
    lang = _lang()
    data = found.to_dict(lang)
    scam = is_scam(found)
    items = []
    for item, shown in zip(found.items, data["items"]):
        if scam and item.kind == "wallet_address":
            # Inside a scam a wallet address is where the money is meant to go, not "a support channel".
            shown = {**shown, "reasons": [{"code": "wallet_in_scam", "message": i18n.text("message_wallet_scam", lang)}]}
        items.append({
            "data": shown,
            "tone": VERDICT_TONE.get(item.verdict, "bad"),
            "icon": VERDICT_ICON.get(item.verdict, "✘"),
            # no link to each item's check: message.html posts it, so no part of a message is put in a URL
        })
    # What the one-click report sends: every item that is not an official channel (wallets too:
    # the maintainers collect where scams send money), at most MESSAGE_REPORT_CHANNELS.
    report_channels = [{"input": item.input, "platform": item.platform or ""}
                       for item in found.items if item.verdict not in ("official", "unverified")][:MESSAGE_REPORT_CHANNELS]
    return _render(
        "message.html",
        text=text,
        scan=data,
        items=items,
        verdict=found.verdict,
        tone=VERDICT_TONE.get(found.verdict, "bad"),
        icon=VERDICT_ICON.get(found.verdict, "✘"),
        scam=scam,
        headline=i18n.text("scam_title", lang) if scam else None,
        subline=i18n.text("scam_sub", lang) if scam else None,
        report_channels=report_channels if scam else [],
        report_text=_report_text(found, lang) if scam else "",
    )


def _entry(channel: dict[str, Any] | None, lang: str) -> dict[str, str] | None:
    if not channel:
        return None
    label = channel.get("label") or {}
    return {"value": channel.get("value", ""), "label": label.get(lang) or label.get("en", ""),
            "platform": _platform_name(channel.get("platform"), lang)}


def _idn(details: dict[str, Any]) -> dict[str, str] | None:
    shown = details.get("host_unicode")
    real = details.get("host")
    if shown and real and shown != real:
        return {"shown": shown, "real": real}
    return None


def _cross_site() -> bool:
    """True for a POST another site made the browser send (CSRF), by Sec-Fetch-Site, else Origin.
    A request with neither header comes from no browser of this decade: not a CSRF vector."""
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None:
        return site not in SAME_SITE_FETCH
    origin = request.headers.get("Origin")
    if origin is None:
        return False
    # This site's origin as origin.py names it: never merely what the Host header claims.
    return origin.rstrip("/") != public_origin(settings(), request)


# Rate limits (verifier/web/limits.py): the form has its own bucket (VERIFIER_RATELIMIT_REPORT_FORM),
# so API calls from a shared address never block a victim's first report; channels count too.
@bp.post("/report")
def report() -> Response:
    """The report forms: a result page's (one channel) and a scam message's (each of its fake
    channels, ``channel`` repeated with a ``platform`` each). Stored like ``POST
    /api/v1/reports``, answered with the report numbers; a refusal in the person's language."""
    if _cross_site():
        return _render("report_done.html", status=403, state="refused")
    form = request.form  # only the named fields are read (SECURITY.md #7)
    lang = _lang()
    verifier = loaded().verifier
    from verifier.web.limits import count_report_channel

    channels = form.getlist("channel")[:MESSAGE_REPORT_CHANNELS] or [""]
    platforms = form.getlist("platform")
    if len(platforms) != len(channels):  # the result page's form: one channel, platform optional
        platforms = [form.get("platform", "")] * len(channels)
    stored, refused = [], None
    for channel, platform in zip(channels, platforms):
        # A new channel from this client counts against its distinct-channel limit (429: the calm page).
        count_report_channel(current_app, channel, platform or None)
        try:
            submitted = current_app.extensions["verifier_reports"].submit(
                verifier,
                channel=channel,
                what_happened=form.get("what_happened", ""),
                happened_at=form.get("happened_at") or None,
                contact=form.get("contact") or None,
                platform=platform or None,
                now=verifier.clock(),
            )
        except InvalidInputError as err:
            refused = refused or err
            if getattr(err, "field", None):
                break  # a field of the form itself (what happened ...): the same for every channel
            continue  # this channel cannot be checked; the others are still reported
        except StateError as err:
            # The report store is down (a disk, a shared PostgreSQL): a person at a browser gets a
            # calm page in their language, not problem+json; the operator has the log and /readyz.
            current_app.logger.warning("report not stored: %s", err.message)
            return _render("report_done.html", status=503, state="unavailable")
        stored.append({"id": submitted.report.id, "duplicate": submitted.duplicate, "channel": submitted.result.normalized})
    if not stored and refused is not None:
        return _render("report_done.html", status=422, state="invalid", error_code=refused.code,
                       error_text=report_error_text(refused, lang))
    return _render("report_done.html", state="thanks", reports=stored)


# Field names as a person reads them, for the form's refusals.
FIELD_NAMES = {"what_happened": "report_what", "happened_at": "report_when", "contact": "report_contact"}


def report_error_text(err: InvalidInputError, lang: str) -> str:
    """A refused report in the person's language: which field and what to do, never the API's
    English message (``invalid_field: 'what_happened' is empty``)."""
    field = getattr(err, "field", None)
    if field in FIELD_NAMES:
        label = i18n.text(FIELD_NAMES[field], lang)
        key = {"invalid_field": "report_error_empty", "field_too_long": "report_error_long"}.get(err.code, "report_error_text")
        return i18n.text(key, lang, field=label, cap=getattr(err, "cap", 0))
    if err.code in ("input_too_long", "field_too_long"):
        return i18n.text("report_error_channel_long", lang)
    if err.code == "unknown_platform":
        return i18n.text("report_error_platform", lang)
    return i18n.text("report_error_channel", lang)


@bp.get("/report/<report_id>")
def report_status(report_id: str) -> Response:
    """A report's receipt page: where the review stands (GET /api/v1/reports/<id> as a page)."""
    from verifier.state.reports import ReportNotFoundError

    try:
        found = current_app.extensions["verifier_reports"].get(report_id)
    except ReportNotFoundError:
        return _render("report_status.html", status=404, report=None)
    except StateError as err:
        current_app.logger.warning("report status not read: %s", err.message)
        return _render("report_status.html", status=503, report=None, unavailable=True)
    response = _render("report_status.html", report=found.status_dict())
    response.headers["Cache-Control"] = "no-store"  # the status changes; nothing to keep
    return response


# The bookmarklet page changes with the origin (without VERIFIER_PUBLIC_URL: the allowed Host)
# and the language; nothing in it is worth a shared cache's risk of keeping one Host's copy.
BOOKMARKLET_CACHE = "no-store"


@bp.get("/bookmarklet")
def bookmarklet_page() -> Response:
    origin = public_origin(settings(), request)
    if origin is None:
        # A Host outside VERIFIER_ALLOWED_HOSTS: no bookmarklet for it (origin.py says why).
        response = _render("wrong_host.html", status=421, host=request.host[:100])
    else:
        response = _render(
            "bookmarklet.html",
            bookmarklet_href=bookmarklet.href(origin),
            bookmarklet_code=bookmarklet.script(origin),
        )
    response.headers["Cache-Control"] = BOOKMARKLET_CACHE
    response.headers["Vary"] = "Accept-Language, Cookie, Host"
    return response
