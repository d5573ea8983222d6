"""Every reason code's plain-language message, in English and Chinese, and the advice text.

One table, keyed by the stable reason code. A test checks that every code used anywhere
has both languages here and a line in the README's table of reason codes. Templates use
``str.format`` fields filled from ``Reason.params`` (already-safe, short strings).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any


if TYPE_CHECKING:  # pragma: no cover
    # types only: a result renders itself through this module (model.Result.to_dict), so
    # this module must not import model at run time (one direction: model -> messages)
    from verifier.model import Reason, Result

LANGS = ("en", "zh")


@dataclass(frozen=True, slots=True)
class Message:
    en: str
    zh: str


MESSAGES: dict[str, Message] = {
    # --- exact registry lookup -----------------------------------------------------------
    "official_channel": Message(
        "This is an official TokenPocket channel in the signed registry: {label}.",
        "这是签名注册表中的 TokenPocket 官方渠道：{label}。",
    ),
    "official_subdomain": Message(
        "{host} is a subdomain of the official domain {root} ({label}), which TokenPocket controls.",
        "{host} 是官方域名 {root}（{label}）的子域名，由 TokenPocket 控制。",
    ),
    "retired_channel": Message(
        "This used to be an official TokenPocket channel ({label}) but is retired. Old domains and accounts "
        "can be taken over by scammers: do not use it.",
        "这曾是 TokenPocket 官方渠道（{label}），但已停用。旧域名和旧账号可能被骗子接手，请勿使用。",
    ),
    "known_impersonation": Message(
        "This is a confirmed fake listed in the signed registry: {note}",
        "这是签名注册表中已确认的冒充渠道：{note}",
    ),
    "reported_confirmed": Message(
        "Victims reported this as a fake (first on {first_seen}) and this checker's maintainers confirmed it; "
        "it is not in the signed registry yet.",
        "有受害者举报它是冒充渠道（首次举报于 {first_seen}），并已由本查询工具的维护人员确认；它尚未加入签名注册表。",
    ),
    "registry_expired": Message(
        "This matches our list of official channels, but the list expired on {expires_at} and has not been "
        "renewed, so we cannot confirm it now.",
        "它与我们的官方渠道列表相符，但该列表已于 {expires_at} 过期且尚未更新，因此目前无法确认。",
    ),
    "not_in_registry": Message(
        "This is not in TokenPocket's registry of official channels.",
        "它不在 TokenPocket 官方渠道注册表中。",
    ),
    "platform_unknown": Message(
        "\"{value}\" is TokenPocket's official account on {platform_name} only. The same name anywhere else is "
        "not TokenPocket. Paste the profile link (or write {platform}:{value}) to confirm where you met it.",
        "“{value}” 仅是 TokenPocket 在 {platform_name} 上的官方账号，其他平台上的同名账号都不是 TokenPocket。"
        "请粘贴主页链接（或输入 {platform}:{value}）以确认你是在哪里看到的。",
    ),
    "official_name_wrong_platform": Message(
        "\"{value}\" is TokenPocket's official name on {official_platform_name}, not on {platform_name}: an account "
        "using it on {platform_name} is pretending to be TokenPocket.",
        "“{value}” 是 TokenPocket 在 {official_platform_name} 上的官方名称，而不是 {platform_name}："
        "在 {platform_name} 上使用这个名称的账号是在冒充 TokenPocket。",
    ),
    "unlisted_address_official_domain": Message(
        "This address is at TokenPocket's domain {domain} but is not a published support address. Sender "
        "addresses can be forged: write only to the published addresses.",
        "该地址属于 TokenPocket 的域名 {domain}，但不是公布的客服邮箱。发件人地址可以伪造，请只联系公布的邮箱。",
    ),
    "phone_not_a_channel": Message(
        "Phone numbers are not official TokenPocket channels.",
        "电话号码不是 TokenPocket 的官方渠道。",
    ),
    "no_phone_support": Message(
        "TokenPocket has no phone support. Any \"TokenPocket hotline\" is not official.",
        "TokenPocket 没有客服电话。任何“TokenPocket 客服热线”都不是官方的。",
    ),
    "wallet_address_not_a_channel": Message(
        "This is a wallet address ({chain_name}), not a support channel. Official support never asks you to send "
        "funds, pay a fee, or \"verify\" your wallet with a transfer.",
        "这是一个 {chain_name} 钱包地址，不是客服渠道。官方客服绝不会要求你转账、付费或通过转账“验证”钱包。",
    ),
    # --- tricks noticed while parsing ----------------------------------------------------
    "userinfo_trick": Message(
        "The link starts with \"{userinfo}@\", which browsers ignore: it really goes to {host}.",
        "链接开头的 “{userinfo}@” 会被浏览器忽略：它实际打开的是 {host}。",
    ),
    "ambiguous_url": Message(
        "This link is written so that different programs read different destinations ({host} or {other}). "
        "A real official link is never written like this.",
        "这个链接的写法会让不同程序读出不同的目的地（{host} 或 {other}）。真正的官方链接不会这样写。",
    ),
    "whitespace_in_link": Message(
        "This has spaces or line breaks inside the link or address (\"{visible}\"); a real official link never does, "
        "and programs disagree on where it goes.",
        "链接或地址中间夹有空格或换行（“{visible}”）；真正的官方链接不会这样，而且不同程序对它去向的理解不一致。",
    ),
    "obfuscated_host": Message(
        "The site name in this link is disguised with percent-encoding ({raw}).",
        "该链接中的网站名用百分号编码做了伪装（{raw}）。",
    ),
    "hidden_characters": Message(
        "This contains invisible or direction-changing characters that hide what it really says: {visible}",
        "其中含有不可见字符或改变文字方向的字符，用来掩盖真实内容：{visible}",
    ),
    "ip_literal_host": Message(
        "This link goes to a bare IP address ({ip}), not to a named site. Official TokenPocket links never do.",
        "该链接指向一个纯 IP 地址（{ip}），而不是网站域名。TokenPocket 官方链接从不这样。",
    ),
    "unsupported_scheme": Message(
        "\"{scheme}:\" links are not web pages and are never an official channel; they can run code or open "
        "files on your device.",
        "“{scheme}:” 链接不是网页，绝不是官方渠道；它们可能在你的设备上运行代码或打开文件。",
    ),
    "display_name_spoof": Message(
        "The sender's display name claims \"{claimed}\", but the real address is {address}.",
        "发件人显示名称自称 “{claimed}”，但真实地址是 {address}。",
    ),
    "quoted_local_part_spoof": Message(
        "This is an address at {domain}: \"{claimed}\" is only the name of a mailbox there, written in quotes before the last @.",
        "这是 {domain} 的邮箱地址：“{claimed}” 只是写在最后一个 @ 前、加了引号的邮箱名。",
    ),
    "mail_extra_recipients": Message(
        "This link writes to {address} but also sends your mail to {recipients}: an official link never copies your message to anyone else.",
        "这个链接写给 {address}，但同时把你的邮件发给 {recipients}：官方链接绝不会把你的邮件抄送给别人。",
    ),
    # --- lookalikes (verifier/heuristics/domains.py, mail.py, handles.py) ------------------
    "homoglyph_domain": Message(
        "{shown} is made to look like the official {official} with look-alike letters from other alphabets; "
        "its real name is {ascii}.",
        "{shown} 用其他文字中形似的字母冒充官方的 {official}；它的真实名称是 {ascii}。",
    ),
    "platform_host_in_subdomain": Message(
        "{host} is not {platform_name}: its address only starts with {platform_host}, and the site it opens is {site}.",
        "{host} 不是 {platform_name}：它的地址只是以 {platform_host} 开头，实际打开的是 {site} 网站。",
    ),
    "typosquat_domain": Message(
        "{host} is a misspelling of the official {official} ({how}).",
        "{host} 是官方 {official} 的错拼仿冒（{how}）。",
    ),
    "official_name_other_tld": Message(
        "{host} uses TokenPocket's name with another ending; the official site is {official}.",
        "{host} 使用了 TokenPocket 的名称但后缀不同；官方网站是 {official}。",
    ),
    "brand_combosquat": Message(
        "{host} adds \"{bait}\" to TokenPocket's name to look like an official service; the official site is {official}.",
        "{host} 在 TokenPocket 的名称上加了 “{bait}” 来冒充官方服务；官方网站是 {official}。",
    ),
    "brand_in_domain": Message(
        "{host} uses TokenPocket's name but is not a TokenPocket site; the official site is {official}.",
        "{host} 使用了 TokenPocket 的名称，但不是 TokenPocket 的网站；官方网站是 {official}。",
    ),
    "brand_in_subdomain": Message(
        "{host} puts \"{brand}\" in front of another site's name: the site is really {registrable}.",
        "{host} 把 “{brand}” 放在别的网站名前面：它实际是 {registrable}。",
    ),
    "brand_on_free_hosting": Message(
        "{host} is a page on a free hosting service ({suffix}) named after TokenPocket; anyone can make one.",
        "{host} 是免费托管服务（{suffix}）上以 TokenPocket 命名的页面，任何人都能创建。",
    ),
    "brand_in_shared_host_path": Message(
        "This page on {host}, where anyone can publish, uses TokenPocket's name: it is not an official page.",
        "这是 {host} 上任何人都能发布的页面，使用了 TokenPocket 的名称：它不是官方页面。",
    ),
    "mixed_script": Message(
        "The name {shown} mixes letters of different alphabets ({scripts}), a common disguise.",
        "名称 {shown} 混用了不同文字的字母（{scripts}），这是常见的伪装手法。",
    ),
    "brand_at_free_mail": Message(
        "{address} is a free-mail address ({provider}) using TokenPocket's name; official support writes only from "
        "@tokenpocket.pro.",
        "{address} 是使用 TokenPocket 名称的免费邮箱（{provider}）；官方客服只使用 @tokenpocket.pro 的邮箱。",
    ),
    "brand_in_local_part": Message(
        "{address} puts TokenPocket's name before the @, but the address belongs to {domain}, not to TokenPocket.",
        "{address} 在 @ 前面写了 TokenPocket 的名称，但这个地址属于 {domain}，不属于 TokenPocket。",
    ),
    "free_mail_provider": Message(
        "{provider} is a free or throwaway mail provider; official TokenPocket support never writes from one.",
        "{provider} 是免费或一次性邮箱服务；TokenPocket 官方客服从不使用这类邮箱。",
    ),
    "handle_lookalike": Message(
        "\"{value}\" imitates TokenPocket's official {platform_name} account \"{official}\" (the same name with other "
        "letters or separators, or a near misspelling).",
        "“{value}” 模仿 TokenPocket 在 {platform_name} 上的官方账号 “{official}”（同名但字母或分隔符不同，或拼写相近）。",
    ),
    "brand_in_handle": Message(
        "\"{value}\" uses TokenPocket's name on {platform_name} but is not an official account (official: {official_list}).",
        "“{value}” 在 {platform_name} 上使用了 TokenPocket 的名称，但不是官方账号（官方账号：{official_list}）。",
    ),
    # --- notes that do not change an official verdict ------------------------------------
    "insecure_scheme": Message(
        "The link uses http://, not https://: type https:// yourself.",
        "该链接使用 http:// 而不是 https://，请自行输入 https://。",
    ),
    "nondefault_port": Message(
        "The link names an unusual port ({port}).",
        "该链接使用了不常见的端口（{port}）。",
    ),
    "userinfo_present": Message(
        "The link carries \"{userinfo}@\" before the site name; browsers ignore it.",
        "该链接在网站名前带有 “{userinfo}@”，浏览器会忽略它。",
    ),
    "idn_host": Message(
        "This site name uses non-ASCII letters: it is shown as {unicode} but is really {ascii}.",
        "该网站名含有非 ASCII 字符：显示为 {unicode}，实际是 {ascii}。",
    ),
    # --- scam-script signals (verifier scan) ---------------------------------------------
    # Found in a whole message by verifier/scan_phrases.py; shown with the phrase as found.
    "asks_for_secret": Message(
        "The message asks for a seed phrase (mnemonic), private key or keystore. Whoever has them owns the "
        "wallet: TokenPocket never asks for them, and nobody else should either.",
        "消息索要助记词、私钥或 Keystore。拿到它们就能转走你的资产：TokenPocket 从不索要，任何人都不应索要。",
    ),
    "claims_official_support": Message(
        "The message claims to come from official support, customer service or an admin. TokenPocket: "
        "\"don't trust anyone who sends messages to you first\"; write only to the official channels.",
        "消息自称官方客服、人工客服或管理员。TokenPocket 提醒：主动私聊的都是骗子，不要相信任何自称官方客服的人，"
        "请只通过官方渠道联系。",
    ),
    "promises_recovery": Message(
        "The message promises to recover, refund or unfreeze funds. TokenPocket is a non-custodial wallet and "
        "cannot reverse, refund or freeze blockchain transactions: \"recovery\" offers are a second theft.",
        "消息承诺找回、追回、退款或解冻资产。TokenPocket 是去中心化钱包，无法撤销、退回或冻结链上交易："
        "“找回资产”本身就是二次诈骗。",
    ),
    "asks_for_fee": Message(
        "The message asks you to pay a fee, deposit or tax, or to make a \"verification\" transfer. Official "
        "support never asks you to send funds.",
        "消息要求你支付手续费、保证金、税费，或进行“验证转账”。官方客服绝不会要求你转账。",
    ),
    "urgency": Message(
        "The message pushes you to act at once (a deadline, a threat to freeze your wallet). Scammers hurry you "
        "so that you do not check.",
        "消息催促你立即行动（限时、威胁冻结钱包）。骗子催你，是为了让你来不及核实。",
    ),
    "offers_support_contact": Message(
        "The message offers a \"support\" contact (QQ, WeChat, a phone number, a chat account). TokenPocket's "
        "support is only its official channels: it has no phone, QQ or WeChat support.",
        "消息提供了所谓“客服”的联系方式（QQ、微信、电话或聊天账号）。TokenPocket 的客服只在官方渠道，没有电话、QQ 或微信客服。",
    ),
    "moves_chat": Message(
        "The message moves the conversation to a private chat (WhatsApp, Telegram, WeChat, QQ, direct "
        "messages). TokenPocket: anyone who messages you privately first is a scammer.",
        "消息要求转到私聊（WhatsApp、Telegram、微信、QQ 等）。TokenPocket 提醒：主动私聊的都是骗子。",
    ),
    "asks_to_connect_or_authorize": Message(
        "The message asks you to connect, sync, \"validate\" or authorize your wallet, or to sign an approval. "
        "A malicious approval lets the other side empty your wallet.",
        "消息要求你连接、同步、“验证”钱包或签名授权。恶意授权可以让对方转走你钱包里的资产。",
    ),
    "obfuscated_link": Message(
        "A link in the message is written in disguise (such as tokenpocket[.]pro or hxxps://) to slip past "
        "link filters.",
        "消息中的链接被刻意改写（例如 tokenpocket[.]pro 或 hxxps://），以躲过链接过滤。",
    ),
    # --- what a page shows (verifier/page.py: the bookmarklet's summary, the deep check) ----
    "page_asks_secret": Message(
        "The page asks for a seed phrase, private key or keystore (it says \"{terms}\"). Whoever has them owns "
        "the wallet: never type them into a web page.",
        "该页面索要助记词、私钥或 Keystore（页面上写着“{terms}”）。拿到它们就能转走你的资产：绝不要在网页中输入。",
    ),
    "page_seed_grid": Message(
        "The page has a grid of {count} input boxes, the shape of a form for a 12- or 24-word seed phrase.",
        "该页面有 {count} 个输入框组成的格子，正是填写 12 或 24 个助记词的表单样式。",
    ),
    "page_claims_brand": Message(
        "The page's title (\"{title}\") uses TokenPocket's name (\"{brand}\"), but the page is not on an official "
        "TokenPocket site.",
        "该页面标题（“{title}”）使用了 TokenPocket 的名称（“{brand}”），但它不在 TokenPocket 官方网站上。",
    ),
    "page_links_fake_support": Message(
        "The page links to channels that are not official and look like fakes: {items}.",
        "该页面链接到非官方、疑似冒充的渠道：{items}。",
    ),
    "page_password_field": Message(
        "The page has {count} password field(s).",
        "该页面有 {count} 个密码输入框。",
    ),
    "page_posts_elsewhere": Message(
        "The page's forms send what you type to another site: {hosts}.",
        "该页面的表单会把你输入的内容发送到其他网站：{hosts}。",
    ),
    "page_summary_ignored": Message(
        "Part of the page summary could not be read and was ignored ({fields}).",
        "页面摘要中有部分内容无法读取，已忽略（{fields}）。",
    ),
    "page_fake_support": Message(
        "The page offers \"customer service\" ({terms}) but is not an official TokenPocket site: real support "
        "never starts a chat with you from a web page.",
        "该页面提供“客服”（{terms}），但不是 TokenPocket 官方网站：真正的客服不会通过网页与你聊天。",
    ),
    "page_offers_download": Message(
        "The page offers app files to install from a site that is not official ({items}): fake wallets are "
        "spread this way. Install TokenPocket only from the official site or the app stores.",
        "该页面从非官方网站提供安装文件（{items}）：假钱包就是这样传播的。请只从官网或应用商店安装 TokenPocket。",
    ),
    "page_wallet_drainer": Message(
        "The page has the marks of a wallet drainer ({terms}): connecting or approving there hands your "
        "tokens to the thief.",
        "该页面具有“盗币网页”的特征（{terms}）：在那里连接钱包或授权，会把你的资产交给骗子。",
    ),
    "page_copies_official": Message(
        "The page copies the official sites' links ({official}) but sends what you type to {hosts}.",
        "该页面照搬官方网站的链接（{official}），却把你填写的内容发送到 {hosts}。",
    ),
    # --- e-mail check: who really sent a message (verifier/mailauth.py) -------------------
    "dkim_pass": Message(
        "A DKIM signature by {domain} verifies here (selector {selector}, {algorithm}), and {domain} is the "
        "sender's domain {from_domain}: {domain} signed this message.",
        "{domain} 的 DKIM 签名在本服务验证通过（选择器 {selector}，{algorithm}），且 {domain} 与发件人域名 {from_domain} "
        "一致：这封邮件确由 {domain} 签名。",
    ),
    "dkim_not_aligned": Message(
        "A DKIM signature by {domain} verifies, but the message says it is from {from_domain}: anyone can sign "
        "their own mail, so a signature by another domain proves nothing about {from_domain}.",
        "{domain} 的 DKIM 签名验证通过，但邮件自称来自 {from_domain}：任何人都能为自己的邮件签名，其他域名的签名不能证明"
        "邮件来自 {from_domain}。",
    ),
    "dkim_body_hash_mismatch": Message(
        "The signature by {domain} (selector {selector}) does not match the body (body hash): the text was changed "
        "after it was signed, or it is not the message that was signed.",
        "{domain} 的签名（选择器 {selector}）与正文不符（正文哈希不一致）：正文在签名后被改过，或者这不是被签名的那封邮件。",
    ),
    "dkim_signature_mismatch": Message(
        "The signature by {domain} (selector {selector}) does not verify with {domain}'s key: the signed headers "
        "were changed, or {domain}'s key did not make it.",
        "{domain} 的签名（选择器 {selector}）无法用 {domain} 的公钥验证：被签名的邮件头被改过，或者签名并非由 {domain} 的密钥生成。",
    ),
    "dkim_key_not_found": Message(
        "No DKIM key is published at {selector}._domainkey.{domain}: the signature by {domain} cannot be genuine.",
        "{selector}._domainkey.{domain} 上没有公布 DKIM 公钥：{domain} 的这个签名不可能是真的。",
    ),
    "dkim_key_revoked": Message(
        "The key {selector}._domainkey.{domain} is revoked (published empty): this signature no longer counts.",
        "公钥 {selector}._domainkey.{domain} 已被吊销（公布为空）：这个签名不再有效。",
    ),
    "dkim_key_invalid": Message(
        "The key at {selector}._domainkey.{domain} is not a usable DKIM key (malformed, unknown type, or an RSA "
        "key under 1024 bits).",
        "{selector}._domainkey.{domain} 上的公钥不可用（格式错误、类型未知，或 RSA 密钥短于 1024 位）。",
    ),
    "dkim_expired": Message(
        "The signature by {domain} (selector {selector}) has expired (its x= date is past).",
        "{domain} 的签名（选择器 {selector}）已过期（x= 时间已过）。",
    ),
    "dkim_malformed": Message(
        "The DKIM-Signature by {domain} (selector {selector}) is malformed and cannot be checked.",
        "{domain} 的 DKIM-Signature（选择器 {selector}）格式错误，无法验证。",
    ),
    "dkim_partial_body": Message(
        "The signature by {domain} covers only the first part of the body (l= tag): anything can follow it, so "
        "it is not counted.",
        "{domain} 的签名只覆盖正文的前一部分（l= 标签）：后面可以被追加任何内容，因此不计入。",
    ),
    "dkim_from_not_signed": Message(
        "The signature by {domain} does not cover the From field, so it says nothing about the sender.",
        "{domain} 的签名没有覆盖 From 字段，因此不能说明发件人是谁。",
    ),
    "dkim_dns_unavailable": Message(
        "DNS did not answer for the key {selector}._domainkey.{domain}: the signature by {domain} could not be "
        "checked now.",
        "查询公钥 {selector}._domainkey.{domain} 时 DNS 没有应答：目前无法验证 {domain} 的签名。",
    ),
    "dkim_headers_only": Message(
        "Only the headers were given: {domain}'s signature was checked on the signed headers; the body was not "
        "part of this check. Paste the whole message to check the body too.",
        "只提供了邮件头：已按被签名的邮件头验证 {domain} 的签名，正文不在本次检查范围内。粘贴整封邮件可同时验证正文。",
    ),
    "no_dkim_signature": Message(
        "The message carries no DKIM signature at all: nothing proves who sent it.",
        "这封邮件没有任何 DKIM 签名：没有任何东西能证明它的发件人。",
    ),
    "dmarc_unavailable": Message(
        "DNS did not answer for the DMARC record of {domain}, so whether a signature by a related domain counts "
        "could not be decided.",
        "查询 {domain} 的 DMARC 记录时 DNS 没有应答，无法判断相关域名的签名是否有效。",
    ),
    "official_sender_unverifiable": Message(
        "The message says it is from {address} (TokenPocket's domain {domain}), but DNS did not answer, so its "
        "signature could not be checked. Until it can, treat it as not official.",
        "邮件自称来自 {address}（TokenPocket 的域名 {domain}），但 DNS 没有应答，无法验证签名。在能够验证之前，请当作非官方邮件。",
    ),
    "forged_official_sender": Message(
        "The message says it is from {address} (TokenPocket's domain {domain}), but no signature by {domain} "
        "verifies: the sender is forged.",
        "邮件自称来自 {address}（TokenPocket 的域名 {domain}），但没有任何 {domain} 的签名验证通过：发件人是伪造的。",
    ),
    "forged_official_name": Message(
        "The message shows {shown} as its sender, but it really comes from {address}: the official address is "
        "only written where the name goes.",
        "邮件把 {shown} 显示为发件人，实际却来自 {address}：官方地址只是被写在了名称的位置。",
    ),
    "multiple_from": Message(
        "The message has {count} From fields. A real message has one; mail programs show one while a check may "
        "read another.",
        "这封邮件有 {count} 个 From 字段。正常邮件只有一个；邮件程序显示的可能与验证读取的不是同一个。",
    ),
    "from_unreadable": Message(
        "The From field cannot be read as one address: {value}",
        "From 字段无法读作一个邮箱地址：{value}",
    ),
    "sender_not_tokenpocket": Message(
        "The sender's domain {domain} is not one of TokenPocket's mail domains.",
        "发件人域名 {domain} 不是 TokenPocket 的邮件域名。",
    ),
    "reply_to_elsewhere": Message(
        "Replies go to {reply_to}, not to the sender's domain {from_domain}.",
        "回复会发送到 {reply_to}，而不是发件人域名 {from_domain}。",
    ),
    "return_path_elsewhere": Message(
        "Bounces go to {return_path}, not to {from_domain} (common for mailing services; a note).",
        "退信地址是 {return_path}，而不是 {from_domain}（邮件发送服务常见如此；仅供参考）。",
    ),
    "email_attachments": Message(
        "The message has {count} attachment(s): {names}. They were not opened; do not open files you did not expect.",
        "这封邮件有 {count} 个附件：{names}。本服务没有打开它们；不要打开你没有预期的文件。",
    ),
    "message_scam_signs": Message(
        "The text of the message has scam signs or links to fakes (listed with the body below).",
        "邮件正文含有诈骗迹象或冒充链接（见下方正文部分）。",
    ),
}

VERDICT_TEXT: dict[str, Message] = {
    "official": Message("Official", "官方渠道"),
    "retired": Message("Not official (retired)", "非官方（已停用）"),
    "impersonation": Message("Not official: impersonation", "非官方：冒充"),
    "suspicious": Message("Not official: suspicious", "非官方：可疑"),
    "not_official": Message("Not official", "非官方"),
    "unverified": Message("Not confirmed", "无法确认"),
}

ADVICE: dict[str, Message] = {
    "official": Message(
        "This is an official channel. Even here, never share your seed phrase or private key.",
        "这是官方渠道。即便如此，也绝不要透露你的助记词或私钥。",
    ),
    "unverified": Message(
        "We cannot confirm this right now. Do not share your seed phrase or send funds; use the official "
        "channels below.",
        "目前无法确认。不要透露助记词或转账；请使用下面的官方渠道。",
    ),
    "default": Message(
        "This is not an official TokenPocket channel. Do not contact it, do not share your seed phrase or "
        "private key, and do not send any funds or fees. Use the official channels instead.",
        "这不是 TokenPocket 官方渠道。不要联系它，不要透露助记词或私钥，也不要转账或支付任何费用。请改用官方渠道。",
    ),
}


def render_reason(reason: Reason, lang: str = "en") -> dict[str, Any]:
    """A reason as the result object shows it: code, message in ``lang``, and its facts."""
    message = MESSAGES.get(reason.code)
    params = dict(reason.params)
    if message is None:  # a code without text is a bug; show the code rather than crash
        text = reason.code
    else:
        template = message.zh if lang == "zh" else message.en
        # A fact given in both languages ("label" and "label_zh") is shown in the reader's.
        shown = {k: params.get(f"{k}_zh", v) for k, v in params.items()} if lang == "zh" else params
        try:
            text = template.format(**shown)
        except (KeyError, IndexError):
            text = template
    out: dict[str, Any] = {"code": reason.code, "message": text}
    if params:
        out["params"] = params
    return out


def verdict_text(verdict: str, lang: str = "en") -> str:
    message = VERDICT_TEXT[verdict]
    return message.zh if lang == "zh" else message.en


def short_advice(result: "Result", lang: str = "en") -> str:
    """The verdict's advice and, unless official, where to go instead (no policy list)."""
    base = ADVICE.get(result.verdict, ADVICE["default"])
    parts = [base.zh if lang == "zh" else base.en]
    if result.verdict != "official" and result.contacts:
        lead = "官方渠道：" if lang == "zh" else "Official channels: "
        parts.append(lead + ", ".join(c.value for c in result.contacts))
    return " ".join(parts)


def advice(result: "Result", lang: str = "en") -> str:
    """What to do next: the verdict's advice, where to go instead, and the registry's policies."""
    return " ".join([short_advice(result, lang), *(p.text.get(lang) for p in result.policies)])
