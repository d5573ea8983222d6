"""Tables of real inputs and what a victim must be told, shared by the core, CLI and API tests.

Each row: (input, kind, platform, verdict, a reason code that must be among the reasons).
Verdicts are those of the shipped registry at a moment inside its validity.
"""

OFFICIAL = [
    # websites: every form a person pastes
    ("tokenpocket.pro", "domain", None, "official", "official_channel"),
    ("TokenPocket.pro", "domain", None, "official", "official_channel"),
    ("www.tokenpocket.pro", "domain", None, "official", "official_subdomain"),
    ("tokenpocket.pro.", "domain", None, "official", "official_channel"),
    ("https://tokenpocket.pro/", "url", None, "official", "official_channel"),
    ("https://www.tokenpocket.pro/download/pc", "url", None, "official", "official_subdomain"),
    ("http://tokenpocket.pro", "url", None, "official", "insecure_scheme"),
    ("tokenpocket.pro/download", "url", None, "official", "official_channel"),
    ("https://ＴＯＫＥＮＰＯＣＫＥＴ。pro/", "url", None, "official", "official_channel"),
    ("tpwallet.io", "domain", None, "official", "official_channel"),
    ("https://www.tpwallet.io/", "url", None, "official", "official_subdomain"),
    ("https://help.tokenpocket.pro/cn/security-knowledge/protective-measures/guide", "url", None, "official", "official_channel"),
    ("https://help.tpwallet.io/en/", "url", None, "official", "official_channel"),
    ("https://verify.tpwallet.io/", "url", None, "official", "official_channel"),
    ("verify.tokenpocket.pro", "domain", None, "official", "official_channel"),
    ("extension.tokenpocket.pro", "domain", None, "official", "official_channel"),
    ("https://fans.tokenpocket.pro/", "url", None, "official", "official_channel"),
    ("https://approval.tptool.pro/", "url", None, "official", "official_subdomain"),
    ("https://tphelp.gitbook.io/en/", "url", None, "official", "official_channel"),
    # email
    ("service@tokenpocket.pro", "email", None, "official", "official_channel"),
    ("SERVICE@TokenPocket.pro", "email", None, "official", "official_channel"),
    ("TokenPocket Support <service@tokenpocket.pro>", "email", None, "official", "official_channel"),
    ("mailto:service@tokenpocket.pro", "email", None, "official", "official_channel"),
    ("bd@tokenpocket.pro", "email", None, "official", "official_channel"),
    ("dapp@tokenpocket.pro", "email", None, "official", "official_channel"),
    ("legalsupport@tokenpocket.pro", "email", None, "official", "official_channel"),
    # social
    ("https://x.com/TokenPocket_TP", "handle", "twitter", "official", "official_channel"),
    ("https://twitter.com/tokenpocket_tp", "handle", "twitter", "official", "official_channel"),
    ("https://mobile.twitter.com/TokenPocket_TP", "handle", "twitter", "official", "official_channel"),
    ("x:@TokenPocket_TP", "handle", "twitter", "official", "official_channel"),
    ("https://t.me/tokenPocket_en", "handle", "telegram", "official", "official_channel"),
    ("t.me/tokenpocket_cn", "handle", "telegram", "official", "official_channel"),
    ("https://telegram.me/TokenPocket_CN", "handle", "telegram", "official", "official_channel"),
    ("tg:tokenpocket_kor", "handle", "telegram", "official", "official_channel"),
    ("telegram:tokenpocket_en", "handle", "telegram", "official", "official_channel"),
    ("tg://resolve?domain=tokenpocket_cn", "handle", "telegram", "official", "official_channel"),
    ("https://discord.com/invite/NKPM8TXFQk", "handle", "discord", "official", "official_channel"),
    ("https://discord.gg/NKPM8TXFQk", "handle", "discord", "official", "official_channel"),
    ("https://www.youtube.com/channel/UCudaS5hcbqUaMtOGHmQ2e0A", "handle", "youtube", "official", "official_channel"),
    ("https://www.facebook.com/TokenPocket", "handle", "facebook", "official", "official_channel"),
    ("https://github.com/TP-Lab", "handle", "github", "official", "official_channel"),
    ("https://github.com/TP-Lab/tp-js-sdk", "handle", "github", "official", "official_channel"),
    ("https://medium.com/@tokenpocket.gm", "handle", "medium", "official", "official_channel"),
    ("https://tokenpocket-gm.medium.com/fraud-prevention-class-2eb3cd3e69e", "handle", "medium", "official", "official_channel"),
]

NOT_OFFICIAL = [
    # the userinfo trick, both backslash directions, and relatives
    ("https://tokenpocket.pro@evil.example/x", "url", None, "impersonation", "userinfo_trick"),
    ("https://service:tokenpocket.pro@evil.example/", "url", None, "impersonation", "userinfo_trick"),
    ("https://evil.example\\@tokenpocket.pro", "url", None, "impersonation", "ambiguous_url"),
    ("https://tokenpocket.pro\\@evil.example", "url", None, "suspicious", "ambiguous_url"),
    ("http://tokenpocket%2epro/", "url", None, "suspicious", "obfuscated_host"),
    ("https://tokenpocket.pro\u200b/", "url", None, "suspicious", "hidden_characters"),
    ("tokenpocket\u202e.pro", "domain", None, "suspicious", "hidden_characters"),
    # IP literals in every notation
    ("http://127.0.0.1/", "url", None, "suspicious", "ip_literal_host"),
    ("http://2130706433/", "url", None, "suspicious", "ip_literal_host"),
    ("http://0x7f.1/", "url", None, "suspicious", "ip_literal_host"),
    ("http://0177.0.0.1/", "url", None, "suspicious", "ip_literal_host"),
    ("http://127.1/", "url", None, "suspicious", "ip_literal_host"),
    ("http://[::ffff:127.0.0.1]/", "url", None, "suspicious", "ip_literal_host"),
    ("8.8.8.8", "domain", None, "suspicious", "ip_literal_host"),
    # schemes that are not web channels
    ("javascript:alert(document.domain)", "url", None, "suspicious", "unsupported_scheme"),
    ("data:text/html,<script>alert(1)</script>", "url", None, "suspicious", "unsupported_scheme"),
    ("file:///etc/passwd", "url", None, "suspicious", "unsupported_scheme"),
    ("ftp://tokenpocket.pro/", "url", None, "not_official", "unsupported_scheme"),
    # IDN lookalike (Cyrillic о): the decoded and punycode forms are shown
    ("tokenpоcket.pro", "domain", None, "impersonation", "homoglyph_domain"),
    ("tokenpоcket.pro", "domain", None, "impersonation", "idn_host"),
    # retired and confirmed fakes
    ("mytokenpocket.vip", "domain", None, "retired", "retired_channel"),
    ("https://dapp.mytokenpocket.vip/", "url", None, "retired", "retired_channel"),
    ("https://t.me/tokenpocket_C", "handle", "telegram", "impersonation", "known_impersonation"),
    ("telegram:Larva_l", "handle", "telegram", "impersonation", "known_impersonation"),
    # emails
    ("support@tokenpocket.pro", "email", None, "not_official", "unlisted_address_official_domain"),
    ("service+refund@tokenpocket.pro", "email", None, "not_official", "unlisted_address_official_domain"),
    ("\"service@tokenpocket.pro\" <scam@gmail.com>", "email", None, "impersonation", "display_name_spoof"),
    ("service@tokenpocket.pro <scam@evil.example>", "email", None, "impersonation", "display_name_spoof"),
    ("TokenPocket Support <helpdesk@gmail.com>", "email", None, "impersonation", "display_name_spoof"),
    ("someone@example.org", "email", None, "not_official", "not_in_registry"),
    # the official name on the wrong platform
    ("telegram:TokenPocket_TP", "handle", "telegram", "impersonation", "official_name_wrong_platform"),
    ("https://t.me/TokenPocket_TP", "handle", "telegram", "impersonation", "official_name_wrong_platform"),
    ("twitter:tokenpocket_cn", "handle", "twitter", "impersonation", "official_name_wrong_platform"),
    # a name without a platform is never vouched for
    # Without a platform the answer places it nowhere: "platform unknown" is the one truth.
    ("@TokenPocket_TP", "handle", None, "unverified", "platform_unknown"),
    ("@tokenpocket_cn", "handle", None, "unverified", "platform_unknown"),
    ("@someone_else", "handle", None, "not_official", "not_in_registry"),
    # phones and wallets are never channels
    ("+86 138 0013 8000", "phone", None, "not_official", "no_phone_support"),
    ("+1 (800) 555-0100", "phone", None, "not_official", "no_phone_support"),
    ("0xdAC17F958D2ee523a2206206994597C13D831ec7", "wallet_address", "evm", "not_official", "wallet_address_not_a_channel"),
    ("TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t", "wallet_address", "tron", "not_official", "wallet_address_not_a_channel"),
    ("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", "wallet_address", "bitcoin", "not_official", "wallet_address_not_a_channel"),
    # unrelated sites: plainly not official
    ("getpocket.com", "domain", None, "not_official", "not_in_registry"),
    ("https://www.tp-link.com/", "url", None, "not_official", "not_in_registry"),
    ("token.im", "domain", None, "not_official", "not_in_registry"),
]

INVALID = [
    ("", "empty_input"),
    ("   ", "empty_input"),
    ("a" * 5000, "input_too_long"),
    ("\u0660" * 20000, "input_too_long"),
    ("###", "unrecognised_input"),
    # Refused, and shaped like a message (six words): the scanner is what it needs (message_shape.py).
    ("this is not anything we know ###", "looks_like_message"),
]
