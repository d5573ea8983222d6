"""``verifier email [--json] [--lang en|zh] [FILE|-]``: who really sent this e-mail?

Reads a raw message (an ``.eml`` file, "Show original", or just the header block) as bytes,
at most :data:`verifier.mailauth.MAX_BYTES`; verifies its DKIM signatures with keys from DNS
(``VERIFIER_DNS_NAMESERVERS``) and prints the verdict (:mod:`verifier.mailauth`). Exit codes as
``verifier scan``: 0 answered, 1 registry refused, 2 usage or unreadable file, 3 not a message.
"""

from __future__ import annotations

import argparse
import sys

from verifier.errors import InvalidInputError, VerifierError


def _read(path: str) -> bytes:
    from verifier.cli.main import read_input
    from verifier.mailauth import MAX_BYTES

    data = read_input(path, MAX_BYTES)
    return data.encode("utf-8", "surrogateescape") if isinstance(data, str) else data


def cmd_email(args: argparse.Namespace) -> int:
    from verifier import mailauth, present
    from verifier.cli.main import EXIT_BAD_INPUT, EXIT_OK, EXIT_USAGE, _fail, _settings
    from verifier.deep.mail_dns import lookup_for
    from verifier.serving.runtime import open_verifier

    try:
        settings = _settings(args)
        verifier = open_verifier(settings).verifier
        from verifier.state.reports import attach

        attach(verifier, settings.shared_database)
    except VerifierError as err:
        return _fail(err)
    try:
        data = _read(args.file)
        result = mailauth.analyse(data, verifier, lookup_for(settings))
    except OSError as err:
        print(f"error: cannot read {args.file}: {err.strerror or err}", file=sys.stderr)
        return EXIT_USAGE
    except InvalidInputError as err:
        print(f"error: {err.code}: {mailauth.error_message(err, args.lang)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if args.json:
        print(present.to_json_line(result.to_dict(args.lang)))
    else:
        print(render_text(result, args.lang))
    return EXIT_OK


def render_text(result, lang: str) -> str:
    """Verdict first, then why, then each signature, then the rest of the message."""
    zh = lang == "zh"
    data = result.to_dict(lang)
    mark = "✔" if result.verdict == "official_sender" else ("?" if result.verdict == "unverifiable" else "✘")
    lines = [f"{mark} {data['verdict_text']}   {'风险' if zh else 'risk'} {result.risk}/100"]
    sender = data["from"]
    if sender:
        name = f"{sender['display_name']} " if sender["display_name"] else ""
        lines.append(f"  {'发件人' if zh else 'from'}: {name}<{sender['address']}>")
    for reason in data["reasons"]:
        lines.append(f"  - [{reason['code']}] {reason['message']}")
    if data["dkim"]:
        lines.append("DKIM 签名（本服务验证）：" if zh else "DKIM signatures (verified here):")
        for sig in data["dkim"]:
            lines.append(f"  {sig['result']:<11} d={sig['domain']} s={sig['selector']} a={sig['algorithm']}  "
                         f"[{sig['reason']['code']}]")
    if data["receiver_said"]:
        lines.append("收件服务器的说法（未采信，发件人可以伪造）：" if zh
                     else "What receiving servers wrote (shown, not trusted: a sender can write these):")
        for said in data["receiver_said"]:
            results = " ".join(f"{k}={v}" for k, v in said["results"].items())
            lines.append(f"  {said['position']}. {said['server']}: {results}")
    if data["arc"]:
        lines.append(f"  ARC: {data['arc']['result']} ({data['arc']['comment']})")
    for attachment in data["attachments"]:
        lines.append(f"  {'附件（未打开）' if zh else 'attachment (not opened)'}: {attachment['filename']} "
                     f"({attachment['content_type']})")
    body = data["body"]
    if body is not None:
        lines.append(f"{'正文' if zh else 'Body'}: {body['verdict']}, {len(body['items'])} "
                     f"{'个项目' if zh else 'items'}, {len(body['signals'])} {'个诈骗迹象' if zh else 'scam signs'}")
        lines.extend(f"  - [{s['code']}] \"{s['match']}\"" for s in body["signals"])
        lines.extend(f"  {i['verdict']}  {i['kind']}  {i['normalized']}" for i in body["items"]
                     if i["verdict"] != "not_official")
    lines.append(f"{'建议' if zh else 'advice'}: {data['advice']}")
    return "\n".join(lines)


def add_email_parser(sub) -> None:
    email = sub.add_parser("email", help="who really sent an e-mail: verify its DKIM signatures against the registry's mail domains")
    email.add_argument("file", nargs="?", default="-", metavar="FILE",
                       help="the raw message (.eml, 'Show original', or only its headers); default -: standard input")
    email.add_argument("--json", action="store_true", help="one JSON object: verdict, reasons, dkim, dmarc, body ...")
    email.add_argument("--lang", choices=("en", "zh"), default=None, help="language of messages (default VERIFIER_LANG or en)")
    email.add_argument("--registry", default=None, help="registry JSON (signature: same path + .minisig)")
    email.set_defaults(func=cmd_email)
