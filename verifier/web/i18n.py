"""The web pages' own words, in English and Chinese, and how a request's language is chosen.

Reason texts, verdict names and advice live in :mod:`verifier.messages` (shared with the CLI
and the API); this table holds only the pages' labels. Templates call ``t("key", **params)``.

Language, first match wins: ``?lang=en|zh`` (which also sets the ``lang`` cookie, the only
cookie the site sets), the ``lang`` cookie, the ``Accept-Language`` header, the
``VERIFIER_LANG`` setting.
"""

from __future__ import annotations

from flask import Request, Response

from verifier.messages import LANGS, Message

COOKIE = "lang"
COOKIE_MAX_AGE = 365 * 24 * 3600

UI: dict[str, Message] = {
    "site_name": Message("TokenPocket channel checker", "TokenPocket 官方渠道查询"),
    "tagline": Message(
        "Is this link, email address, account or phone number really TokenPocket (TP Wallet)?",
        "这个链接、邮箱、账号或电话号码真的是 TokenPocket（TP钱包）官方的吗？",
    ),
    "language": Message("Language", "语言"),
    "nav_home": Message("Check", "查询"),
    "nav_bookmarklet": Message("Bookmarklet", "书签小工具"),
    "paste_label": Message(
        "Paste a link, email address, @handle, phone number, or a whole chat message",
        "粘贴链接、邮箱、@账号、电话号码，或整段聊天消息",
    ),
    "paste_hint": Message(
        "Nothing you paste is stored with your name. Never paste your seed phrase or private key here or anywhere.",
        "你粘贴的内容不会与你的身份一起保存。绝不要在这里或任何地方粘贴你的助记词或私钥。",
    ),
    "platform_label": Message("Where did you see it? (optional)", "在哪里看到的？（可选）"),
    "platform_any": Message("I don't know / not a social account", "不知道 / 不是社交账号"),
    "submit": Message("Check", "查询"),
    "check_another": Message("Check something else", "查询其他内容"),
    "check_again": Message("Check this channel now", "现在查询这个渠道"),
    "never_title": Message("What official TokenPocket support never does", "TokenPocket 官方客服绝不会做的事"),
    "never_intro": Message(
        "If your wallet was just emptied, take a breath. Scammers often come back as \"support\" or \"recovery\" "
        "helpers. TokenPocket's own words: don't trust anyone who sends messages to you first.",
        "如果你的钱包刚被盗，请先冷静。骗子常常以“客服”或“找回资产”的名义再次出现。"
        "TokenPocket 官方提醒：主动私聊的都是骗子。",
    ),
    "official_title": Message("The official channels to use instead", "请改用以下官方渠道"),
    "official_intro": Message(
        "From the signed registry (serial {serial}, valid until {expires_at}).",
        "来自签名注册表（序号 {serial}，有效期至 {expires_at}）。",
    ),
    "result_title": Message("Result", "查询结果"),
    "you_checked": Message("You checked", "你查询的是"),
    "kind": Message("Type", "类型"),
    "risk": Message("Risk", "风险"),
    "why": Message("Why", "原因"),
    "imitates": Message("It imitates this official channel", "它模仿的官方渠道"),
    "official_entry": Message("Official channel", "官方渠道"),
    "idn_title": Message("The site's name, two ways", "网站名称的两种写法"),
    "idn_shown": Message("As it is shown", "显示的样子"),
    "idn_real": Message("What it really is (punycode)", "真实名称（punycode）"),
    "idn_explain": Message(
        "Letters from other alphabets can look identical. Computers go to the punycode name on the right.",
        "其他文字中的字母可能看起来完全一样。电脑实际访问的是右边的 punycode 名称。",
    ),
    "hidden_title": Message("Hidden characters made visible", "显示出来的隐藏字符"),
    "hidden_explain": Message(
        "Invisible characters are shown as <U+…> codes: a real official link never contains them.",
        "不可见字符以 <U+…> 代码显示：真正的官方链接从不包含它们。",
    ),
    "page_title": Message("What the page shows", "页面上有什么"),
    "page_explain": Message(
        "Read by the bookmarklet in your browser from the page you were on.",
        "由你浏览器中的书签小工具从你所在的页面读取。",
    ),
    "page_none": Message("Nothing alarming was found on the page.", "页面上没有发现明显的危险迹象。"),
    "deep_label": Message("Also read the page behind the link (safely, without running it)",
                          "同时读取链接指向的网页（安全读取，不运行网页代码）"),
    "page_read": Message("The page was read at {read_at} from the address {address}.",
                         "网页于 {read_at} 从地址 {address} 读取。"),
    "page_not_read": Message("The page could not be read: {message}", "无法读取该网页：{message}"),
    "next_title": Message("What to do next", "下一步怎么做"),
    "next_never": Message(
        "Never send your seed phrase (助记词), private key or any funds or fees to anyone who offers help.",
        "绝不要把助记词、私钥发给任何提供“帮助”的人，也不要转账或支付任何费用。",
    ),
    "next_channels": Message("Contact TokenPocket only through these official channels:", "只通过以下官方渠道联系 TokenPocket："),
    "report_title": Message("Report this channel", "举报这个渠道"),
    "report_explain": Message(
        "Met this channel? Tell the maintainers of this checker what happened (this checker is not TokenPocket). "
        "They read every report; a confirmed fake is flagged for everyone who checks it. Never write your seed "
        "phrase or private key here.",
        "遇到过这个渠道？把经过告诉本查询工具的维护人员（本工具不是 TokenPocket）。他们会审核每一份举报；"
        "确认是冒充的渠道，任何人再查询都会看到警告。绝不要在这里填写助记词或私钥。",
    ),
    "report_what": Message("What happened? (required)", "发生了什么？（必填）"),
    "report_when": Message("When? (optional, e.g. 2026-05-01)", "什么时候？（可选，例如 2026-05-01）"),
    "report_contact": Message(
        "How can we reach you? (optional: email or account; only reviewers see it)",
        "怎样联系你？（可选：邮箱或账号；只有审核人员能看到）",
    ),
    "report_submit": Message("Send the report", "提交举报"),
    "report_thanks_title": Message("Thank you: your report is saved", "谢谢：你的举报已保存"),
    "report_thanks": Message("Your report number is {id}. Keep it: with it you can see where the review stands.",
                             "你的举报编号是 {id}。请保存好：凭这个编号可以查看审核进度。"),
    "report_thanks_many": Message(
        "{count} channels from the message were reported, one report each. Keep the numbers: each shows where "
        "its review stands.",
        "消息中的 {count} 个渠道已分别举报。请保存这些编号：每个编号都可以查看对应的审核进度。",
    ),
    "report_duplicate_short": Message("(reported by others too)", "（其他人也举报过）"),
    "report_who_title": Message("Who reads it, and what happens next", "谁会看到，接下来会怎样"),
    "report_who": Message(
        "Your report goes to the maintainers of this checker (the people who run this service), not to "
        "TokenPocket: this checker is not TokenPocket. Only they see what you wrote and how to reach you.",
        "你的举报会交给本查询工具的维护人员（运行本服务的人），而不是 TokenPocket：本工具不是 TokenPocket。"
        "只有他们能看到你写的内容和联系方式。",
    ),
    "report_next": Message(
        "They check the channel. Once they confirm it is a fake, everyone who checks it here is warned at once, "
        "and it joins the signed list of known fakes at its next signing. Nobody will message you first about "
        "it: anyone who does, claiming to follow up your report, is a scammer. Your money cannot be recovered "
        "through this report.",
        "他们会核实这个渠道。一旦确认是冒充，任何人在这里查询它都会立即看到警告，并会在下次签名时加入已知冒充名单。"
        "不会有人因为这份举报主动私聊你：自称跟进你举报的人都是骗子。这份举报无法帮你追回资金。",
    ),
    "report_error_empty": Message("Please fill in “{field}”: a few words are enough.", "请填写“{field}”：几句话就够了。"),
    "report_error_long": Message("“{field}” is too long: at most {cap} characters.", "“{field}”太长了：最多 {cap} 个字。"),
    "report_error_text": Message("“{field}” holds characters that are not text. Please type it again.",
                                 "“{field}”中有无法识别的字符，请重新输入。"),
    "report_error_channel": Message(
        "This is not a channel we can check (a link, email address, account, phone number or wallet address), so "
        "it cannot be reported. Check the channel first, then use the form under the result.",
        "这不是可以查询的渠道（链接、邮箱、账号、电话号码或钱包地址），所以无法举报。请先查询这个渠道，再使用结果下方的表单。",
    ),
    "report_error_channel_long": Message("The channel is too long to be reported.", "这个渠道太长，无法举报。"),
    "report_error_platform": Message("We do not know the platform given with this account.", "我们不认识这个账号所填的平台。"),
    "report_error_back": Message("Go back with your browser's back button: what you typed is still there.",
                                 "请用浏览器的“返回”回到上一页：你填写的内容还在。"),
    "report_duplicate": Message("Others have reported this channel too; your report was added to theirs.",
                                "其他人也举报过这个渠道；你的举报已合并到同一份举报中。"),
    "report_status_link": Message("See where your report stands", "查看举报处理进度"),
    "report_status_title": Message("Report {id}", "举报 {id}"),
    "report_status_open": Message(
        "Under review: this checker's maintainers have not decided yet. Meanwhile, do not contact this channel; "
        "the button below checks it again.",
        "审核中：本查询工具的维护人员尚未作出结论。在此期间请不要联系这个渠道；点击下方按钮可以重新查询它。",
    ),
    "report_status_confirmed": Message(
        "Confirmed as a fake. Every check of this channel now warns that it is an impersonation.",
        "已确认是假冒渠道。现在查询这个渠道都会提示它是冒充的。",
    ),
    "report_status_rejected": Message(
        "Reviewed, not confirmed as a fake (it may be an official channel, or the evidence was not enough). "
        "This does not make it official: only the check says which channels are.",
        "已审核，未确认是假冒（它可能是官方渠道，或证据不足）。这并不代表它是官方的：是否官方只以查询结果为准。",
    ),
    "report_status_count": Message("Reports of this channel: {count}", "此渠道的举报次数：{count}"),
    "report_status_made": Message("Reported on {date}", "举报时间：{date}"),
    "report_status_decided": Message("Decided on {date}", "审核时间：{date}"),
    "report_status_unavailable_title": Message("Report statuses cannot be read right now", "暂时无法查询举报进度"),
    "report_status_unavailable": Message(
        "Please try again in a few minutes. A report that was given a number is kept.",
        "请过几分钟再试。已经拿到编号的举报都会保留。",
    ),
    "report_unknown_title": Message("No report with this number", "没有这个编号的举报"),
    "report_unknown": Message(
        "Check the number you were given after sending the report (10 letters and digits).",
        "请核对提交举报后得到的编号（10 位字母和数字）。",
    ),
    "report_refused_title": Message("This report was not accepted", "此举报未被接受"),
    "report_refused": Message(
        "The report form must be sent from this site's own page. Open the checker, check the channel, and use the "
        "form under the result.",
        "举报表单必须从本站页面提交。请打开查询页面，查询该渠道，然后使用结果下方的表单。",
    ),
    "report_invalid_title": Message("The report could not be saved", "无法保存此举报"),
    "report_unavailable_title": Message("Reports cannot be saved right now", "暂时无法保存举报"),
    "report_unavailable": Message(
        "Our report box is unavailable for a moment; nothing was saved. Please send the report again in a few "
        "minutes. The check above still holds: do not contact that channel, and never share your seed phrase.",
        "举报系统暂时不可用，本次举报没有保存。请过几分钟再提交一次。上方的查询结果依然有效：不要联系那个渠道，"
        "也绝不要透露你的助记词。",
    ),
    "message_title": Message("The message you pasted", "你粘贴的消息"),
    "message_items": Message("What is in it", "消息中的内容"),
    "message_no_items": Message(
        "No link, address, account or number was found in the message.", "消息中没有发现链接、地址、账号或号码。"
    ),
    "message_signals": Message("Scam signs in the wording", "措辞中的诈骗迹象"),
    "message_no_signals": Message("No known scam phrase was found.", "没有发现已知的诈骗话术。"),
    "message_truncated": Message("Only the first items were checked.", "只检查了前面部分内容。"),
    "scam_title": Message("This is a scam", "这是诈骗"),
    "scam_sub": Message(
        "Someone is pretending to be TokenPocket to take your wallet or your money.",
        "有人冒充 TokenPocket，想骗走你的钱包或钱。",
    ),
    "scam_steps_title": Message("What to do now", "现在就这样做"),
    "scam_step_stop": Message(
        "Stop replying. Do not open the links in the message, scan its codes or install an app it sends.",
        "停止回复对方。不要打开消息里的链接，不要扫码，也不要安装对方发来的 App。",
    ),
    "scam_step_never": Message(
        "Never send your seed phrase (助记词), private key or password, and never pay any “fee” (unfreezing, "
        "verification, handling, deposit): TokenPocket never charges them.",
        "绝不要发送助记词、私钥或密码，也绝不要支付任何“费用”（解冻费、验证费、手续费、保证金）：TokenPocket 从不收取这些费用。",
    ),
    "scam_step_help": Message("Real help is only at the official channels (type the address yourself):",
                              "真正的帮助只在官方渠道（请自己输入网址）："),
    "scam_step_report": Message("Report the scam, so that others who check these channels are warned:",
                                "举报这次诈骗，让其他查询这些渠道的人也能收到警告："),
    "scam_step_report_none": Message(
        "To report it: check the link or account the scammer uses, and use the form under the result.",
        "要举报：查询骗子使用的链接或账号，然后使用结果下方的表单。",
    ),
    "scam_report_open": Message("Report the {count} scam channels in this message", "举报这条消息里的 {count} 个诈骗渠道"),
    "scam_report_text": Message("I received this scam message pretending to be TokenPocket support.",
                                "我收到一条冒充 TokenPocket 客服的诈骗消息。"),
    "scam_report_phrases": Message("It said: {phrases}", "消息里说：{phrases}"),
    "message_wallet_scam": Message(
        "This is where the scammer wants your money to go. Send nothing to it: a transfer cannot be undone.",
        "这是骗子想让你转钱过去的钱包地址。不要向它转任何钱：转账无法撤回。",
    ),
    "message_never_official": Message(
        "A message as a whole is never \"official\": anyone can copy official links into a message.",
        "一整段消息永远不会被判定为“官方”：任何人都可以把官方链接复制进消息里。",
    ),
    "limited_title": Message("Too many reports from here, for now", "此处提交的举报过多，请稍后再试"),
    "limited_explain": Message(
        "Thank you for helping. To keep the report box free of spam, please try again in {seconds} seconds. "
        "Meanwhile: never share your seed phrase, and write only to the official channels below.",
        "感谢你的帮助。为防止垃圾举报，请在 {seconds} 秒后再试。在此期间：绝不要透露助记词，只通过下面的官方渠道联系。",
    ),
    "limited_deep_title": Message("Too many page reads from here, for now", "此处读取网页的次数过多，请稍后再试"),
    "limited_deep_explain": Message(
        "Reading a page for you takes this service's time, so each connection may ask for only so many at once. "
        "Please try again in {seconds} seconds, or check the address itself now: that does not wait.",
        "为你读取网页会占用本服务的资源，因此每个网络连接能请求的次数有限。请在 {seconds} 秒后再试，"
        "或者现在只查询这个地址本身：这不需要等待。",
    ),
    "limited_plain_check": Message("Check the address without reading the page", "只查询地址，不读取网页"),
    "busy_deep_title": Message("Many pages are being read right now", "当前正在读取的网页较多"),
    "busy_deep_explain": Message(
        "This checker reads only a few pages at a time, so that checking addresses never has to wait, and all of "
        "them are in use. Please try reading the page again in {seconds} seconds, or check the address itself "
        "now: that does not wait. Meanwhile, do not enter anything on that page.",
        "为了让地址查询永远不必等待，本查询工具同时只读取少量网页，目前都在使用中。请在 {seconds} 秒后再试读取网页，"
        "或者现在只查询这个地址本身：这不需要等待。在此期间，请不要在那个网页上输入任何内容。",
    ),
    "page_cut": Message(
        "The page is very large ({cut}); only its first part was read, and it was judged on that part.",
        "该网页非常大（{cut}）；只读取了它的前一部分，并据此判断。",
    ),
    "page_cut_bytes": Message("over {limit} of HTML", "HTML 超过 {limit}"),
    "page_cut_elements": Message("over {limit} elements", "超过 {limit} 个元素"),
    "host_title": Message("This is not the checker's own address", "这不是本查询工具自己的地址"),
    "host_explain": Message(
        "The bookmarklet is made only for this checker's own address, and \"{host}\" is not one of them. Open the "
        "checker from its official address and take the bookmarklet there.",
        "书签小工具只为本查询工具自己的地址生成，而“{host}”不是其中之一。请从官方地址打开查询工具，再在那里获取书签小工具。",
    ),
    "host_operator": Message(
        "For the operators: set VERIFIER_PUBLIC_URL to the service's public address, or add this name to "
        "VERIFIER_ALLOWED_HOSTS.",
        "运维人员：请把 VERIFIER_PUBLIC_URL 设为本服务的公开地址，或把这个主机名加入 VERIFIER_ALLOWED_HOSTS。",
    ),
    "not_found_title": Message("This page does not exist", "没有这个页面"),
    "not_found_explain": Message(
        "The address may be mistyped or old. Nothing is wrong with your wallet because of it. To check a link, "
        "account or message, paste it below.",
        "这个地址可能输错了或已失效，这不会影响你的钱包。要查询链接、账号或消息，请粘贴到下面。",
    ),
    "search_title": Message("Looking for TokenPocket support? Here is where it really is",
                            "在找 TokenPocket 客服？真正的官方渠道在这里"),
    "invalid_title": Message("We could not check this", "无法查询这段内容"),
    "invalid_explain": Message(
        "It does not look like a link, domain, email address, @handle, phone number or wallet address. "
        "Try pasting just the link or the account name, or the whole message it came in.",
        "它看起来不像链接、域名、邮箱、@账号、电话号码或钱包地址。请只粘贴链接或账号名，或者粘贴它所在的整段消息。",
    ),
    "invalid_detail": Message("Details", "详细信息"),
    "registry_expired": Message(
        "Warning: the registry of official channels has expired, so nothing can be confirmed as official right now.",
        "警告：官方渠道注册表已过期，目前无法确认任何渠道为官方。",
    ),
    "bm_title": Message("The bookmarklet: check the page you are on", "书签小工具：查询你正在浏览的页面"),
    "bm_intro": Message(
        "A bookmark that checks the page you are looking at, in one click. It opens this checker in a new tab "
        "with the page's address and a short summary of what the page shows.",
        "一个书签，一键查询你正在看的页面。它会在新标签页打开本查询工具，并带上页面地址和页面内容的简短摘要。",
    ),
    "bm_drag": Message("Drag this button to your bookmarks bar:", "把这个按钮拖到书签栏："),
    "bm_link": Message("Check this page (TP)", "查询此页（TP）"),
    "bm_steps_title": Message("How to install", "如何安装"),
    "bm_step1": Message(
        "Show the bookmarks bar (Ctrl+Shift+B, or ⌘+Shift+B on a Mac).",
        "显示书签栏（Ctrl+Shift+B，Mac 上为 ⌘+Shift+B）。",
    ),
    "bm_step2": Message("Drag the button above onto the bookmarks bar.", "把上面的按钮拖到书签栏上。"),
    "bm_step3": Message(
        "On a page you are unsure about, click the bookmark: the result opens in a new tab.",
        "在你不确定的页面上点击这个书签：结果会在新标签页中打开。",
    ),
    "bm_mobile": Message(
        "On a phone: bookmark any page, edit the bookmark, and replace its address with the code below.",
        "在手机上：先把任意页面加入书签，再编辑该书签，把地址替换为下面的代码。",
    ),
    "bm_code": Message("The bookmarklet's code", "书签小工具的代码"),
    "bm_copy": Message("Copy the code", "复制代码"),
    "bm_copied": Message("Copied. Now paste it as the bookmark's address.", "已复制。现在把它粘贴为书签的网址。"),
    "bm_copy_failed": Message("Could not copy: press and hold the code above, then choose Copy.",
                              "无法自动复制：请长按上面的代码，然后选择“复制”。"),
    "bm_privacy_title": Message("What it sends", "它会发送什么"),
    "bm_privacy": Message(
        "Only to this service, and only when you click it: the page's address, its title (shortened), whether its "
        "text asks for a seed phrase or private key, how many password boxes, text areas and word-grid boxes it "
        "has, and the names of the sites it links to and sends forms to. Never what you typed into the page, "
        "never cookies, never passwords.",
        "只在你点击时、只发送给本服务：页面地址、页面标题（截短）、页面文字是否索要助记词或私钥、"
        "密码框/文本框/助记词格子的数量，以及页面链接和表单提交到的网站名称。"
        "绝不发送你在页面中输入的内容、Cookie 或密码。",
    ),
    "bm_csp": Message(
        "It works on pages with a strict security policy: it only reads the page and opens a tab; it loads no "
        "script and makes no request from the page.",
        "在有严格安全策略的页面上也能使用：它只读取页面并打开新标签页，不加载脚本，也不从页面发出任何请求。",
    ),
    "footer": Message(
        "An open-source checker against TokenPocket's signed registry of official channels. "
        "It is not TokenPocket and never asks for anything.",
        "一个开源的查询工具，依据 TokenPocket 签名的官方渠道注册表。它不是 TokenPocket，也从不向你索要任何东西。",
    ),
}

KIND_NAMES: dict[str, Message] = {
    "url": Message("link", "链接"),
    "domain": Message("domain", "域名"),
    "email": Message("email address", "邮箱地址"),
    "handle": Message("account", "账号"),
    "phone": Message("phone number", "电话号码"),
    "wallet_address": Message("wallet address", "钱包地址"),
}


MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
             "November", "December")


def date_text(stamp: str | None, lang: str, *, with_time: bool = False) -> str:
    """An RFC 3339 UTC time ("2027-01-25T01:30:00Z") as a person reads it: "2027年1月25日" or
    "25 January 2027" (with the time: "… 01:30 UTC"). Anything unreadable is shown as given."""
    from datetime import datetime

    if not stamp:
        return ""
    try:
        moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return stamp
    if lang == "zh":
        day = f"{moment.year}年{moment.month}月{moment.day}日"
        return f"{day} {moment:%H:%M}（UTC）" if with_time else day
    day = f"{moment.day} {MONTHS_EN[moment.month - 1]} {moment.year}"
    return f"{day}, {moment:%H:%M} UTC" if with_time else day


def text(key: str, lang: str, **params: object) -> str:
    """The UI string ``key`` in ``lang``, with ``{params}`` filled in."""
    message = UI[key]
    template = message.zh if lang == "zh" else message.en
    return template.format(**params) if params else template


def kind_name(kind: str, lang: str) -> str:
    message = KIND_NAMES.get(kind)
    return (message.zh if lang == "zh" else message.en) if message else kind


def from_accept_language(header: str | None) -> str | None:
    """The first of en/zh in an ``Accept-Language`` header, by q-value then order."""
    if not header:
        return None
    choices: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")[:20]):
        tag, _, rest = part.strip().partition(";")
        quality = 1.0
        if rest.strip().startswith("q="):
            try:
                quality = float(rest.strip()[2:])
            except ValueError:
                quality = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGS and quality > 0:
            choices.append((-quality, position, primary))
    return min(choices)[2] if choices else None


def choose(request: Request, default: str = "en") -> tuple[str, bool]:
    """``(lang, from_query)``: the language for this request, and whether ``?lang=`` chose it."""
    asked = request.args.get("lang", "")
    if asked in LANGS:
        return asked, True
    cookie = request.cookies.get(COOKIE, "")
    if cookie in LANGS:
        return cookie, False
    return from_accept_language(request.headers.get("Accept-Language")) or default, False


def remember(response: Response, lang: str, *, secure: bool = False) -> None:
    """Set the ``lang`` cookie (the site's only cookie): SameSite=Lax, HttpOnly, a year;
    ``Secure`` when the request came over HTTPS."""
    response.set_cookie(COOKIE, lang, max_age=COOKIE_MAX_AGE, samesite="Lax", httponly=True, secure=secure, path="/")
