"""The platform table: social networks and messengers, their hosts, handle syntax and URL forms.

One tuple of frozen :class:`Platform` rows (STYLE.md "detectors are a table"). Each platform
has one or more :class:`Namespace`\\ s — kinds of identifier with their own syntax and case rule
(a Telegram username is case-insensitive, an invite hash is not) — and :class:`PathRule`\\ s that
turn a profile URL into a canonical value ``<namespace prefix><name>``.

The canonical *value* keeps the spelling it was given (for display); the *key* from
:func:`handle_key` is what lookups compare, folded by the namespace's rule. The registry
builder calls :func:`handle_key` on registry values, user input goes through the same function.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import ada_url


@dataclass(frozen=True, slots=True)
class Namespace:
    """One kind of identifier on a platform.

    ``prefix`` is part of the canonical value (``"+"`` for Telegram invites, ``"invite/"`` for
    Discord, ``"channel/"`` for YouTube channel ids, ``""`` for plain usernames). ``pattern``
    matches the name after the prefix. ``fold_dots`` is Medium's rule: ``tokenpocket.gm``
    is served as ``tokenpocket-gm.medium.com``, so both spellings get one key.
    """

    prefix: str
    pattern: str
    case_sensitive: bool = False
    fold_dots: bool = False
    regex: re.Pattern[str] | None = None  # compiled by _ns()


@dataclass(frozen=True, slots=True)
class PathRule:
    """A URL path (optionally plus one query parameter) that names an account.

    ``regex`` fullmatches the pathname; the name comes from its ``name`` group, or from the
    query parameter ``param`` when set. The result is ``prefix + name``.
    """

    regex: re.Pattern[str]
    prefix: str
    param: str | None = None
    check_reserved: bool = True
    hosts: frozenset[str] = frozenset()  # only on these hosts (empty: every host of the platform)


@dataclass(frozen=True, slots=True)
class Platform:
    """One platform: names, hosts, identifier syntax and URL forms."""

    key: str
    name: str  # English display name
    name_zh: str
    aliases: tuple[str, ...]
    hosts: tuple[str, ...]
    namespaces: tuple[Namespace, ...]
    paths: tuple[PathRule, ...] = ()
    reserved: frozenset[str] = frozenset()  # first path segments that are site pages, not accounts
    subdomain_of: tuple[str, ...] = ()  # "<name>.medium.com", "<name>.t.me"
    reserved_subdomains: frozenset[str] = frozenset()
    default_prefix: str | None = ""  # namespace of a bare name; None: a bare name is ambiguous
    strip_chars: str = ""  # characters dropped from a typed name (WhatsApp: "+86 138-…")
    # Typed spellings rewritten to the canonical namespace: (fullmatch regex, replacement).
    rewrites: tuple[tuple[re.Pattern[str], str], ...] = ()
    example: str = ""  # shown in error messages: what a valid name looks like

    @property
    def name_en(self) -> str:
        return self.name

    def namespace(self, prefix: str) -> Namespace | None:
        return next((ns for ns in self.namespaces if ns.prefix == prefix), None)


def _ns(prefix: str, pattern: str, *, case_sensitive: bool = False, fold_dots: bool = False) -> Namespace:
    return Namespace(prefix, pattern, case_sensitive, fold_dots, re.compile(pattern))


def _path(
    namespaces: tuple[Namespace, ...],
    template: str,
    prefix: str,
    *,
    param: str | None = None,
    check_reserved: bool = True,
    hosts: tuple[str, ...] = (),
) -> PathRule:
    """Compile ``template`` with ``{name}`` replaced by the namespace's own name pattern, so the
    URL form and the typed form can never disagree on what a valid name is."""
    ns = next(n for n in namespaces if n.prefix == prefix)
    pattern = template.replace("{name}", f"(?P<name>{ns.pattern})")
    return PathRule(re.compile(pattern), prefix, param, check_reserved, frozenset(hosts))


def _rewrites(*pairs: tuple[str, str]) -> tuple[tuple[re.Pattern[str], str], ...]:
    return tuple((re.compile(pattern), replacement) for pattern, replacement in pairs)


_TAIL = r"(?:/.*)?"  # deeper paths (a post, a repo) still belong to the account

_TWITTER_NS = (_ns("", r"[A-Za-z0-9_]{1,15}"),)
_TELEGRAM_NS = (
    _ns("", r"[A-Za-z][A-Za-z0-9_]{3,31}"),
    _ns("+", r"[A-Za-z0-9_-]{6,64}", case_sensitive=True),
)
_DISCORD_NS = (
    _ns("invite/", r"[A-Za-z0-9-]{2,32}", case_sensitive=True),
    _ns("", r"[a-z0-9_.]{2,32}"),  # usernames are lower case since 2023
)
_FACEBOOK_NS = (_ns("id:", r"[0-9]{5,20}", case_sensitive=True), _ns("", r"[A-Za-z0-9.]{5,50}"))
_INSTAGRAM_NS = (_ns("", r"[A-Za-z0-9._]{1,30}"),)
_YOUTUBE_NS = (
    _ns("channel/", r"UC[A-Za-z0-9_-]{22}", case_sensitive=True),
    _ns("c/", r"[A-Za-z0-9._-]{1,100}"),
    _ns("user/", r"[A-Za-z0-9._-]{1,100}"),
    _ns("@", r"[A-Za-z0-9._-]{3,30}"),
)
_GITHUB_NS = (_ns("", r"[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}"),)
_MEDIUM_NS = (_ns("", r"[A-Za-z0-9._-]{1,50}", fold_dots=True),)
_REDDIT_NS = (_ns("r/", r"[A-Za-z0-9_]{2,21}"), _ns("u/", r"[A-Za-z0-9_-]{3,20}"))
_TIKTOK_NS = (_ns("", r"[A-Za-z0-9._]{2,24}"),)
_WEIBO_NS = (_ns("u/", r"[0-9]{5,12}", case_sensitive=True), _ns("", r"[A-Za-z][A-Za-z0-9_]{3,29}"))
_LINKEDIN_NS = (_ns("company/", r"[A-Za-z0-9_.-]{2,100}"), _ns("in/", r"[A-Za-z0-9_.-]{2,100}"))
_WECHAT_NS = (_ns("", r"[A-Za-z][A-Za-z0-9_-]{5,19}"),)
_QQ_NS = (_ns("", r"[1-9][0-9]{4,11}", case_sensitive=True),)
_WHATSAPP_NS = (_ns("", r"[0-9]{6,15}", case_sensitive=True), _ns("invite/", r"[A-Za-z0-9]{10,40}", case_sensitive=True))

PLATFORMS: tuple[Platform, ...] = (
    Platform(
        "twitter", "X (Twitter)", "X（推特）", ("x", "twitter", "tw", "推特"),
        ("x.com", "www.x.com", "mobile.x.com", "twitter.com", "www.twitter.com", "mobile.twitter.com", "m.twitter.com"),
        _TWITTER_NS,
        (_path(_TWITTER_NS, r"/{name}" + _TAIL, ""),),
        frozenset({
            "home", "i", "search", "intent", "explore", "notifications", "messages", "settings", "login", "logout",
            "signup", "share", "hashtag", "compose", "tos", "privacy", "about", "help", "account", "download",
            "jobs", "lists", "topics", "communities", "bookmarks", "oauth", "status", "statuses", "en", "who_to_follow",
            "premium", "verified", "jointhex", "rules", "safety", "business", "developer", "developers", "tweet",
        }),
        example="@TokenPocket_TP",
    ),
    Platform(
        "telegram", "Telegram", "Telegram（电报）", ("tg", "telegram", "电报", "纸飞机", "飞机"),
        ("t.me", "www.t.me", "telegram.me", "www.telegram.me", "telegram.dog", "www.telegram.dog"),
        _TELEGRAM_NS,
        (
            _path(_TELEGRAM_NS, r"/\+{name}/?", "+"),
            _path(_TELEGRAM_NS, r"/joinchat/{name}/?", "+"),
            _path(_TELEGRAM_NS, r"/(?:s/)?{name}(?:/[0-9]+)?/?", ""),
        ),
        frozenset({
            "joinchat", "addstickers", "addemoji", "share", "proxy", "socks", "login", "setlanguage", "addtheme",
            "invoice", "confirmphone", "boost", "contact", "addlist", "giftcode", "iv", "bg", "c", "s", "nft",
        }),
        subdomain_of=("t.me",),
        reserved_subdomains=frozenset({"www"}),
        rewrites=_rewrites((r"joinchat/(.+)", r"+\1")),
        example="tokenpocket_en or +InviteHash",
    ),
    Platform(
        "discord", "Discord", "Discord", ("discord", "dc"),
        ("discord.gg", "www.discord.gg", "discord.com", "www.discord.com", "discordapp.com", "www.discordapp.com",
         "ptb.discord.com", "canary.discord.com"),
        _DISCORD_NS,
        (
            _path(_DISCORD_NS, r"/(?:invite/)?{name}/?", "invite/", check_reserved=False, hosts=("discord.gg", "www.discord.gg")),
            _path(_DISCORD_NS, r"/invite/{name}/?", "invite/", check_reserved=False),
        ),
        example="invite/NKPM8TXFQk",
        # A mixed-case or hyphenated code cannot be a (lower-case) username: it is an invite.
        rewrites=_rewrites((r"([A-Za-z0-9-]*[A-Z-][A-Za-z0-9-]*)", r"invite/\1")),
    ),
    Platform(
        "facebook", "Facebook", "Facebook（脸书）", ("fb", "facebook", "脸书", "臉書"),
        ("facebook.com", "www.facebook.com", "m.facebook.com", "web.facebook.com", "mbasic.facebook.com",
         "touch.facebook.com", "fb.com", "www.fb.com"),
        _FACEBOOK_NS,
        (
            _path(_FACEBOOK_NS, r"/profile\.php/?", "id:", param="id"),
            _path(_FACEBOOK_NS, r"/people/[^/]+/{name}/?", "id:", check_reserved=False),
            _path(_FACEBOOK_NS, r"/{name}" + _TAIL, ""),
        ),
        frozenset({
            "pages", "groups", "events", "watch", "marketplace", "login", "login.php", "help", "share", "sharer",
            "sharer.php", "photo.php", "story.php", "permalink.php", "profile.php", "people", "gaming", "hashtag",
            "settings", "notifications", "messages", "friends", "reels", "stories", "policies", "privacy", "legal",
            "business", "home.php", "plugins", "dialog", "l.php", "photos", "videos", "search", "recover",
            "checkpoint", "bookmarks", "media", "fundraisers", "login", "signup", "reg", "r.php",
        }),
        example="TokenPocket or id:100064",
    ),
    Platform(
        "instagram", "Instagram", "Instagram", ("ig", "instagram", "insta", "ins"),
        ("instagram.com", "www.instagram.com", "m.instagram.com", "instagr.am"),
        _INSTAGRAM_NS,
        (_path(_INSTAGRAM_NS, r"/{name}" + _TAIL, ""),),
        frozenset({
            "p", "reel", "reels", "explore", "stories", "accounts", "direct", "tv", "about", "legal", "developer",
            "web", "challenge", "emails", "oauth", "privacy", "terms", "session", "login", "signup", "api",
        }),
        example="tokenpocket",
    ),
    Platform(
        "youtube", "YouTube", "YouTube（油管）", ("yt", "youtube", "油管"),
        ("youtube.com", "www.youtube.com", "m.youtube.com", "music.youtube.com", "youtu.be"),
        _YOUTUBE_NS,
        (
            _path(_YOUTUBE_NS, r"/@{name}" + _TAIL, "@", check_reserved=False),
            _path(_YOUTUBE_NS, r"/channel/{name}" + _TAIL, "channel/", check_reserved=False),
            _path(_YOUTUBE_NS, r"/c/{name}" + _TAIL, "c/", check_reserved=False),
            _path(_YOUTUBE_NS, r"/user/{name}" + _TAIL, "user/", check_reserved=False),
        ),
        default_prefix="@",
        rewrites=_rewrites((r"(UC[A-Za-z0-9_-]{22})", r"channel/\1")),
        example="@TokenPocket or channel/UCudaS5hcbqUaMtOGHmQ2e0A",
    ),
    Platform(
        "github", "GitHub", "GitHub", ("gh", "github"),
        ("github.com", "www.github.com"),
        _GITHUB_NS,
        (
            _path(_GITHUB_NS, r"/orgs/{name}" + _TAIL, "", check_reserved=False),
            _path(_GITHUB_NS, r"/{name}" + _TAIL, ""),
        ),
        frozenset({
            "orgs", "features", "marketplace", "pricing", "login", "logout", "join", "settings", "topics", "search",
            "explore", "sponsors", "about", "enterprise", "collections", "trending", "notifications", "new", "issues",
            "pulls", "apps", "codespaces", "security", "site", "contact", "customer-stories", "readme", "team",
            "organizations", "account", "dashboard", "watching", "stars", "users", "signup", "password_reset",
            "copilot", "solutions", "resources", "events", "mobile", "git-guides", "discussions", "assets",
        }),
        example="TP-Lab",
    ),
    Platform(
        "medium", "Medium", "Medium", ("medium",),
        ("medium.com", "www.medium.com"),
        _MEDIUM_NS,
        (_path(_MEDIUM_NS, r"/@{name}" + _TAIL, "", check_reserved=False),),
        subdomain_of=("medium.com",),
        reserved_subdomains=frozenset({
            "www", "help", "policy", "blog", "m", "api", "link", "email", "cdn-images-1", "cdn-images-2", "miro",
            "glyph", "about", "status", "engineering", "design", "careers", "partner", "store",
        }),
        example="tokenpocket.gm",
    ),
    Platform(
        "reddit", "Reddit", "Reddit", ("reddit",),
        ("reddit.com", "www.reddit.com", "old.reddit.com", "new.reddit.com", "np.reddit.com", "m.reddit.com",
         "sh.reddit.com"),
        _REDDIT_NS,
        (
            _path(_REDDIT_NS, r"/r/{name}" + _TAIL, "r/", check_reserved=False),
            _path(_REDDIT_NS, r"/(?:u|user)/{name}" + _TAIL, "u/", check_reserved=False),
        ),
        default_prefix="u/",
        rewrites=_rewrites((r"/?(?:u|user)/(.+)", r"u/\1"), (r"/r/(.+)", r"r/\1")),
        example="r/TokenPocket or u/name",
    ),
    Platform(
        "tiktok", "TikTok", "TikTok", ("tiktok",),
        ("tiktok.com", "www.tiktok.com", "m.tiktok.com"),
        _TIKTOK_NS,
        (_path(_TIKTOK_NS, r"/@{name}" + _TAIL, "", check_reserved=False),),
        example="@tokenpocket",
    ),
    Platform(
        "weibo", "Weibo", "微博", ("weibo", "微博", "sina"),
        ("weibo.com", "www.weibo.com", "weibo.cn", "m.weibo.cn", "www.weibo.cn"),
        _WEIBO_NS,
        (
            _path(_WEIBO_NS, r"/(?:u/|profile/)?{name}" + _TAIL, "u/", check_reserved=False),
            _path(_WEIBO_NS, r"/{name}/?", ""),
        ),
        frozenset({
            "login", "signup", "p", "ttarticle", "tv", "hot", "search", "status", "detail", "profile", "u", "n",
            "a", "set", "ajax", "home", "newlogin", "signin", "unfreeze", "help", "about",
        }),
        example="u/1234567890 or name",
    ),
    Platform(
        "linkedin", "LinkedIn", "领英", ("linkedin", "li", "领英"),
        ("linkedin.com", "www.linkedin.com", "m.linkedin.com"),
        _LINKEDIN_NS,
        (
            _path(_LINKEDIN_NS, r"/company/{name}" + _TAIL, "company/", check_reserved=False),
            _path(_LINKEDIN_NS, r"/in/{name}" + _TAIL, "in/", check_reserved=False),
        ),
        default_prefix=None,
        example="company/tokenpocket or in/name",
    ),
    Platform("wechat", "WeChat", "微信", ("wechat", "weixin", "微信", "vx", "wx", "v信", "威信"), (), _WECHAT_NS, example="a WeChat ID such as tokenpocket_wx"),
    Platform("qq", "QQ", "QQ", ("qq", "qq号", "扣扣"), (), _QQ_NS, example="a QQ number such as 12345678"),
    Platform(
        "whatsapp", "WhatsApp", "WhatsApp", ("whatsapp", "wa"),
        ("wa.me", "api.whatsapp.com", "chat.whatsapp.com", "web.whatsapp.com", "whatsapp.com", "www.whatsapp.com"),
        _WHATSAPP_NS,
        (
            _path(_WHATSAPP_NS, r"/send/?", "", param="phone", check_reserved=False,
                  hosts=("api.whatsapp.com", "whatsapp.com", "www.whatsapp.com", "web.whatsapp.com")),
            _path(_WHATSAPP_NS, r"/{name}/?", "", check_reserved=False, hosts=("wa.me",)),
            _path(_WHATSAPP_NS, r"/(?:invite/)?{name}/?", "invite/", check_reserved=False, hosts=("chat.whatsapp.com",)),
        ),
        strip_chars=" +-().",
        example="+8613800138000",
    ),
)

_BY_NAME: dict[str, Platform] = {}
for _p in PLATFORMS:
    for _name in (_p.key, *_p.aliases):
        _BY_NAME[_name.casefold()] = _p
_BY_HOST: dict[str, Platform] = {h: p for p in PLATFORMS for h in p.hosts}
_BY_PARENT: dict[str, Platform] = {parent: p for p in PLATFORMS for parent in p.subdomain_of}
_STRIP_TABLES: dict[str, dict[int, None]] = {p.key: {ord(c): None for c in p.strip_chars} for p in PLATFORMS}
# Namespaces with a prefix, longest first, so "channel/" is tried before a shorter prefix.
_PREFIXED: dict[str, tuple[Namespace, ...]] = {
    p.key: tuple(sorted((ns for ns in p.namespaces if ns.prefix), key=lambda ns: -len(ns.prefix))) for p in PLATFORMS
}


def get_platform(name_or_alias: str | None) -> Platform | None:
    """The platform called ``name_or_alias`` (key, alias or display name, any case), or None."""
    if not name_or_alias:
        return None
    return _BY_NAME.get(name_or_alias.strip().casefold())


def platform_for_host(host_ascii: str) -> Platform | None:
    """The platform serving ``host_ascii`` (lower-case punycode, no trailing dot), or None.

    Includes account subdomains such as ``tokenpocket-gm.medium.com`` and ``name.t.me``.
    """
    found = _BY_HOST.get(host_ascii)
    if found is not None:
        return found
    label, _, parent = host_ascii.partition(".")
    return _BY_PARENT.get(parent) if label else None


def _valid(platform: Platform, prefix: str, name: str) -> str | None:
    ns = platform.namespace(prefix)
    if ns is None or ns.regex is None or not ns.regex.fullmatch(name):
        return None
    return prefix + name


def handle_from_url(platform: Platform, host: str, pathname: str, search: str = "") -> str | None:
    """The canonical handle value a profile URL names, or None (a site page, a post without
    an account, an unknown form). ``pathname``/``search`` as ada gives them (still encoded:
    a percent-encoded name is *not* decoded, so it never matches — fail closed)."""
    if host not in platform.hosts:
        label, _, parent = host.partition(".")
        if parent not in platform.subdomain_of or label in platform.reserved_subdomains:
            return None
        # "<name>.medium.com" / "<name>.t.me": the account is the subdomain, any path is a post.
        return _valid(platform, platform.default_prefix or "", label)
    for rule in platform.paths:
        if rule.hosts and host not in rule.hosts:
            continue
        match = rule.regex.fullmatch(pathname)
        if match is None:
            continue
        if rule.param is not None:
            values = ada_url.parse_search_params(search).get(rule.param) if search else None
            name = values[0] if values else ""
            name = name.translate(_STRIP_TABLES[platform.key])
            value = _valid(platform, rule.prefix, name)
            if value is not None:
                return value
            continue
        name = match.group("name")
        if rule.check_reserved and name.lower() in platform.reserved:
            return None
        return rule.prefix + name
    return None


def canonical_handle(platform: Platform, text: str) -> str | None:
    """The canonical value of a typed handle (``platform:NAME``), or None when it is not one.

    Accepts ``@name``, ``name`` and the namespaced forms (``invite/CODE``, ``channel/UC…``,
    ``+HASH``, ``r/name``…); a leading ``@`` is dropped unless it *is* the namespace (YouTube).
    """
    text = text.strip().translate(_STRIP_TABLES[platform.key])
    for pattern, replacement in platform.rewrites:
        if pattern.fullmatch(text):
            text = pattern.sub(replacement, text)
            break
    for ns in _PREFIXED[platform.key]:
        if text.startswith(ns.prefix):
            return _valid(platform, ns.prefix, text[len(ns.prefix):])
    if platform.default_prefix is None:
        return None
    name = text[1:] if text.startswith("@") else text
    return _valid(platform, platform.default_prefix, name)


def handle_key(platform_key: str | None, value: str) -> str:
    """The lookup key of a canonical handle value on a platform.

    Folded by the namespace's rule: lower case unless the namespace is case-sensitive
    (Telegram invites, Discord invites, YouTube channel ids), ``.`` → ``-`` for Medium. A
    leading ``@`` is not part of the key except where it is the namespace (YouTube). Total:
    never raises, so registry values and user input always get a key.
    """
    value = value.strip()
    platform = get_platform(platform_key) if platform_key else None
    if platform is None:
        return (value[1:] if value.startswith("@") else value).lower()
    for ns in _PREFIXED[platform.key]:
        if value.startswith(ns.prefix):
            return ns.prefix + _fold(ns, value[len(ns.prefix):])
    prefix = platform.default_prefix or ""
    name = value[1:] if value.startswith("@") else value
    ns = platform.namespace(prefix)
    return prefix + (_fold(ns, name) if ns else name.lower())


def _fold(ns: Namespace, name: str) -> str:
    if not ns.case_sensitive:
        name = name.lower()
    if ns.fold_dots:
        name = name.replace(".", "-")
    return name
