"""classify(): real inputs → (kind, platform, normalized, key, observations), and refusals."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from verifier.classify import ROWS, classify
from verifier.errors import InvalidInputError
from verifier.model import Item

CYRILLIC_O = "\u043e"
ZWSP = "\u200b"
RLO = "\u202e"
USDT_ERC20 = "0xdAC17F958D2ee523a2206206994597C13D831ec7"
USDT_TRC20 = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"
WSOL = "So11111111111111111111111111111111111111112"

# (input, kind, platform, normalized, key, observation codes)
CASES = [
    # --- official websites (CHANNELS.md 2.1), every form a person pastes
    ("tokenpocket.pro", "domain", None, "tokenpocket.pro", "tokenpocket.pro", ()),
    ("  tokenpocket.pro\n", "domain", None, "tokenpocket.pro", "tokenpocket.pro", ()),
    ("TokenPocket.pro", "domain", None, "tokenpocket.pro", "tokenpocket.pro", ()),
    ("www.TokenPocket.pro.", "domain", None, "www.tokenpocket.pro", "www.tokenpocket.pro", ("trailing_dot",)),
    ("https://www.tokenpocket.pro/", "url", None, "www.tokenpocket.pro", "www.tokenpocket.pro", ()),
    ("https://tokenpocket.pro/", "url", None, "tokenpocket.pro", "tokenpocket.pro", ()),
    ("HTTPS://TOKENPOCKET.PRO", "url", None, "tokenpocket.pro", "tokenpocket.pro", ()),
    ("tokenpocket.pro/download", "url", None, "tokenpocket.pro", "tokenpocket.pro", ()),
    ("https://help.tokenpocket.pro/cn/security-knowledge/protective-measures/guide", "url", None, "help.tokenpocket.pro", "help.tokenpocket.pro", ()),
    ("help.tokenpocket.pro/cn/", "url", None, "help.tokenpocket.pro", "help.tokenpocket.pro", ()),
    ("tpwallet.io", "domain", None, "tpwallet.io", "tpwallet.io", ()),
    ("https://help.tpwallet.io/en/security-knowledge/security-measure/guidelines", "url", None, "help.tpwallet.io", "help.tpwallet.io", ()),
    ("https://verify.tpwallet.io/", "url", None, "verify.tpwallet.io", "verify.tpwallet.io", ()),
    ("https://approval.tptool.pro/", "url", None, "approval.tptool.pro", "approval.tptool.pro", ()),
    ("https://tphelp.gitbook.io/en/", "url", None, "tphelp.gitbook.io", "tphelp.gitbook.io", ()),
    ("//tokenpocket.pro/x", "url", None, "tokenpocket.pro", "tokenpocket.pro", ()),
    # --- official social channels (CHANNELS.md 2.2), as links
    ("t.me/tokenPocket_en", "handle", "telegram", "tokenPocket_en", "tokenpocket_en", ("platform_from_url",)),
    ("https://t.me/tokenPocket_en", "handle", "telegram", "tokenPocket_en", "tokenpocket_en", ("platform_from_url",)),
    ("https://t.me/tokenpocket_cn", "handle", "telegram", "tokenpocket_cn", "tokenpocket_cn", ("platform_from_url",)),
    ("https://telegram.me/TokenPocket_CN", "handle", "telegram", "TokenPocket_CN", "tokenpocket_cn", ("platform_from_url",)),
    ("telegram.me/tokenpocket_kor", "handle", "telegram", "tokenpocket_kor", "tokenpocket_kor", ("platform_from_url",)),
    ("http://t.me/tokenpocket_cn", "handle", "telegram", "tokenpocket_cn", "tokenpocket_cn", ("insecure_scheme", "platform_from_url")),
    ("twitter.com/TokenPocket_TP", "handle", "twitter", "TokenPocket_TP", "tokenpocket_tp", ("platform_from_url",)),
    ("https://x.com/TokenPocket_TP", "handle", "twitter", "TokenPocket_TP", "tokenpocket_tp", ("platform_from_url",)),
    ("x.com/TokenPocket_TP", "handle", "twitter", "TokenPocket_TP", "tokenpocket_tp", ("platform_from_url",)),
    ("https://mobile.twitter.com/TokenPocket_TP", "handle", "twitter", "TokenPocket_TP", "tokenpocket_tp", ("platform_from_url",)),
    ("discord.com/invite/NKPM8TXFQk", "handle", "discord", "invite/NKPM8TXFQk", "invite/NKPM8TXFQk", ("platform_from_url",)),
    ("https://discord.gg/NKPM8TXFQk", "handle", "discord", "invite/NKPM8TXFQk", "invite/NKPM8TXFQk", ("platform_from_url",)),
    ("https://www.youtube.com/channel/UCudaS5hcbqUaMtOGHmQ2e0A", "handle", "youtube",
     "channel/UCudaS5hcbqUaMtOGHmQ2e0A", "channel/UCudaS5hcbqUaMtOGHmQ2e0A", ("platform_from_url",)),
    ("facebook.com/TokenPocket", "handle", "facebook", "TokenPocket", "tokenpocket", ("platform_from_url",)),
    ("https://www.facebook.com/TokenPocket", "handle", "facebook", "TokenPocket", "tokenpocket", ("platform_from_url",)),
    ("github.com/TP-Lab", "handle", "github", "TP-Lab", "tp-lab", ("platform_from_url",)),
    ("https://github.com/TP-Lab/tp-js-sdk", "handle", "github", "TP-Lab", "tp-lab", ("platform_from_url",)),
    ("medium.com/@tokenpocket.gm", "handle", "medium", "tokenpocket.gm", "tokenpocket-gm", ("platform_from_url",)),
    ("https://medium.com/@tokenpocket-gm/fraud-prevention-class-2eb3cd3e69e", "handle", "medium", "tokenpocket-gm", "tokenpocket-gm", ("platform_from_url",)),
    ("tokenpocket-gm.medium.com", "handle", "medium", "tokenpocket-gm", "tokenpocket-gm", ("platform_from_url",)),
    ("https://tokenpocket-gm.medium.com/fraud-prevention-class-2eb3cd3e69e", "handle", "medium", "tokenpocket-gm", "tokenpocket-gm", ("platform_from_url",)),
    ("tg://resolve?domain=tokenpocket_cn", "handle", "telegram", "tokenpocket_cn", "tokenpocket_cn", ("platform_from_url",)),
    ("tg://join?invite=AbCdEf123456", "handle", "telegram", "+AbCdEf123456", "+AbCdEf123456", ("platform_from_url",)),
    ("https://t.me/+AbCdEf123456", "handle", "telegram", "+AbCdEf123456", "+AbCdEf123456", ("platform_from_url",)),
    ("https://t.me/joinchat/AbCdEf123456", "handle", "telegram", "+AbCdEf123456", "+AbCdEf123456", ("platform_from_url",)),
    ("https://t.me/s/tokenpocket_cn", "handle", "telegram", "tokenpocket_cn", "tokenpocket_cn", ("platform_from_url",)),
    ("https://www.youtube.com/@TokenPocket", "handle", "youtube", "@TokenPocket", "@tokenpocket", ("platform_from_url",)),
    ("https://www.linkedin.com/company/tokenpocket/", "handle", "linkedin", "company/tokenpocket", "company/tokenpocket", ("platform_from_url",)),
    ("https://www.reddit.com/r/TokenPocket/", "handle", "reddit", "r/TokenPocket", "r/tokenpocket", ("platform_from_url",)),
    ("https://www.tiktok.com/@tokenpocket", "handle", "tiktok", "tokenpocket", "tokenpocket", ("platform_from_url",)),
    ("https://wa.me/8613800138000", "handle", "whatsapp", "8613800138000", "8613800138000", ("platform_from_url",)),
    # platform hosts without an account: plain links
    ("https://x.com/home", "url", None, "x.com", "x.com", ()),
    ("https://x.com/i/flow/login", "url", None, "x.com", "x.com", ()),
    ("https://t.me/", "url", None, "t.me", "t.me", ()),
    ("x.com", "domain", None, "x.com", "x.com", ()),
    # --- e-mail
    ("service@tokenpocket.pro", "email", None, "service@tokenpocket.pro", "service@tokenpocket.pro", ()),
    ("SERVICE@TokenPocket.pro", "email", None, "service@tokenpocket.pro", "service@tokenpocket.pro", ()),
    ("<service@tokenpocket.pro>", "email", None, "service@tokenpocket.pro", "service@tokenpocket.pro", ()),
    ("TokenPocket Support <service@tokenpocket.pro>", "email", None, "service@tokenpocket.pro", "service@tokenpocket.pro", ("display_name",)),
    ('"TokenPocket, Support" <service@tokenpocket.pro>', "email", None, "service@tokenpocket.pro", "service@tokenpocket.pro", ("display_name",)),
    ("mailto:service@tokenpocket.pro", "email", None, "service@tokenpocket.pro", "service@tokenpocket.pro", ()),
    ("mailto:service@tokenpocket.pro?subject=help", "email", None, "service@tokenpocket.pro", "service@tokenpocket.pro", ()),
    ("bd@tokenpocket.pro", "email", None, "bd@tokenpocket.pro", "bd@tokenpocket.pro", ()),
    ("service+refund@tokenpocket.pro", "email", None, "service+refund@tokenpocket.pro", "service+refund@tokenpocket.pro", ("subaddress",)),
    ("service@tokenpocket.pro.", "email", None, "service@tokenpocket.pro", "service@tokenpocket.pro", ("trailing_dot",)),
    (f"service@tokenp{CYRILLIC_O}cket.pro", "email", None, "service@xn--tokenpcket-jvi.pro", "service@xn--tokenpcket-jvi.pro", ("idn",)),
    ("serv\u0456ce@tokenpocket.pro", "email", None, "serv\u0456ce@tokenpocket.pro", "serv\u0456ce@tokenpocket.pro", ("non_ascii_local_part",)),
    # the display-name trick: the angle address is the real one
    ("service@tokenpocket.pro <scam@evil.example>", "email", None, "scam@evil.example", "scam@evil.example",
     ("display_name", "display_name_address")),
    ('"service@tokenpocket.pro" <scam@gmail.com>', "email", None, "scam@gmail.com", "scam@gmail.com",
     ("display_name", "display_name_address")),
    ("tokenpocket.pro Support <helpdesk@gmail.com>", "email", None, "helpdesk@gmail.com", "helpdesk@gmail.com",
     ("display_name", "display_name_address")),
    ("ｔｏｋｅｎｐｏｃｋｅｔ．ｐｒｏ客服 <helpdesk@gmail.com>", "email", None, "helpdesk@gmail.com", "helpdesk@gmail.com",
     ("display_name", "display_name_address")),
    # --- URL tricks
    ("https://tokenpocket.pro@evil.example/x", "url", None, "evil.example", "evil.example", ("userinfo_present",)),
    ("https://service:tokenpocket.pro@evil.example/", "url", None, "evil.example", "evil.example", ("userinfo_present",)),
    ("https://@tokenpocket.pro/", "url", None, "tokenpocket.pro", "tokenpocket.pro", ("userinfo_present",)),
    ("https://evil.example\\@tokenpocket.pro", "url", None, "evil.example", "evil.example", ("backslash_in_url", "parser_disagreement")),
    ("https://tokenpocket.pro\\@evil.example", "url", None, "tokenpocket.pro", "tokenpocket.pro", ("backslash_in_url", "parser_disagreement")),
    ("tokenpocket.pro\\@evil.example", "url", None, "tokenpocket.pro", "tokenpocket.pro", ("backslash_in_url", "parser_disagreement")),
    ("http://127.0.0.1\\@public.test/", "url", None, "127.0.0.1", "127.0.0.1",
     ("backslash_in_url", "insecure_scheme", "parser_disagreement", "ip_literal")),
    ("https:tokenpocket.pro", "url", None, "tokenpocket.pro", "tokenpocket.pro", ("parser_disagreement",)),
    ("https://tokenp%6Fcket.pro/", "url", None, "tokenpocket.pro", "tokenpocket.pro", ("percent_encoded_host",)),
    ("http://tokenpocket%2epro/", "url", None, "tokenpocket.pro", "tokenpocket.pro", ("insecure_scheme", "percent_encoded_host")),
    ("https://ＴＯＫＥＮＰＯＣＫＥＴ。pro/", "url", None, "tokenpocket.pro", "tokenpocket.pro", ("mapped_characters",)),
    ("ｔｏｋｅｎｐｏｃｋｅｔ．ｐｒｏ", "domain", None, "tokenpocket.pro", "tokenpocket.pro", ("mapped_characters",)),
    ("https://tokenpocket.pro./", "url", None, "tokenpocket.pro", "tokenpocket.pro", ("trailing_dot",)),
    (f"tokenp{CYRILLIC_O}cket.pro", "domain", None, "xn--tokenpcket-jvi.pro", "xn--tokenpcket-jvi.pro", ("idn",)),
    ("xn--tokenpcket-jvi.pro", "domain", None, "xn--tokenpcket-jvi.pro", "xn--tokenpcket-jvi.pro", ("idn",)),
    (f"https://tokenp{CYRILLIC_O}cket.pro/download", "url", None, "xn--tokenpcket-jvi.pro", "xn--tokenpcket-jvi.pro", ("idn",)),
    ("https://tokenpocket.pro:8443/", "url", None, "tokenpocket.pro", "tokenpocket.pro", ("nondefault_port",)),
    ("https://tokenpocket.pro:443/", "url", None, "tokenpocket.pro", "tokenpocket.pro", ()),
    ("tokenpocket.pro:8443", "url", None, "tokenpocket.pro", "tokenpocket.pro", ("nondefault_port",)),
    ("http://tokenpocket.pro/", "url", None, "tokenpocket.pro", "tokenpocket.pro", ("insecure_scheme",)),
    # IP literals in every notation
    ("http://127.0.0.1/", "url", None, "127.0.0.1", "127.0.0.1", ("insecure_scheme", "ip_literal")),
    ("http://2130706433/", "url", None, "127.0.0.1", "127.0.0.1", ("insecure_scheme", "ip_literal")),
    ("http://0x7f.1/", "url", None, "127.0.0.1", "127.0.0.1", ("insecure_scheme", "ip_literal")),
    ("http://0177.0.0.1/", "url", None, "127.0.0.1", "127.0.0.1", ("insecure_scheme", "ip_literal")),
    ("http://127.1/", "url", None, "127.0.0.1", "127.0.0.1", ("insecure_scheme", "ip_literal")),
    ("http://[::ffff:127.0.0.1]/", "url", None, "::ffff:7f00:1", "::ffff:7f00:1", ("insecure_scheme", "ip_literal")),
    ("https://[::1]:8443/", "url", None, "::1", "::1", ("nondefault_port", "ip_literal")),
    ("0177.0.0.1", "domain", None, "127.0.0.1", "127.0.0.1", ("ip_literal",)),
    ("0x7f.1", "domain", None, "127.0.0.1", "127.0.0.1", ("ip_literal",)),
    ("127.1", "domain", None, "127.0.0.1", "127.0.0.1", ("ip_literal",)),
    ("8.8.8.8", "domain", None, "8.8.8.8", "8.8.8.8", ("ip_literal",)),
    ("::1", "domain", None, "::1", "::1", ("ip_literal",)),
    ("[::ffff:127.0.0.1]", "domain", None, "::ffff:7f00:1", "::ffff:7f00:1", ("ip_literal",)),
    # schemes that are not web links: reported, never followed
    ("javascript:alert(document.domain)", "url", None, "javascript:", "javascript:", ("unsupported_scheme",)),
    ("JavaScript:alert(1)", "url", None, "javascript:", "javascript:", ("unsupported_scheme",)),
    ("data:text/html,<script>alert(1)</script>", "url", None, "data:", "data:", ("unsupported_scheme",)),
    ("file:///etc/passwd", "url", None, "file:", "file:", ("unsupported_scheme",)),
    ("ftp://tokenpocket.pro/", "url", None, "ftp:", "ftp:", ("unsupported_scheme",)),
    ("blob:https://tokenpocket.pro/0b0f", "url", None, "blob:", "blob:", ("unsupported_scheme",)),
    ("intent://scan/#Intent;scheme=zxing;end", "url", None, "intent:", "intent:", ("unsupported_scheme",)),
    ("tg://msg?text=hi", "url", None, "tg:", "tg:", ("unsupported_scheme",)),
    # hidden and bidi characters: removed for parsing, always reported
    (f"token{ZWSP}pocket.pro", "domain", None, "tokenpocket.pro", "tokenpocket.pro", ("hidden_characters",)),
    (f"https://tokenpocket.pro{ZWSP}/", "url", None, "tokenpocket.pro", "tokenpocket.pro", ("hidden_characters",)),
    (f"{RLO}tokenpocket.pro", "domain", None, "tokenpocket.pro", "tokenpocket.pro", ("hidden_characters",)),
    (f"tokenpocket{RLO}.pro", "domain", None, "tokenpocket.pro", "tokenpocket.pro", ("hidden_characters",)),
    (f"service@token{ZWSP}pocket.pro", "email", None, "service@tokenpocket.pro", "service@tokenpocket.pro", ("hidden_characters",)),
    (f"@TokenPocket{ZWSP}_TP", "handle", None, "TokenPocket_TP", "tokenpocket_tp", ("hidden_characters", "no_platform")),
    ("\ufefftokenpocket.pro", "domain", None, "tokenpocket.pro", "tokenpocket.pro", ("hidden_characters",)),
    # whitespace inside a link or host
    ("tokenpocket .pro", "domain", None, "tokenpocket.pro", "tokenpocket.pro", ("whitespace_in_input",)),
    ("https://tokenpocket. pro/", "url", None, "tokenpocket.pro", "tokenpocket.pro", ("whitespace_in_input",)),
    ("tokenpocket\u3000.pro", "domain", None, "tokenpocket.pro", "tokenpocket.pro", ("whitespace_in_input",)),
    # --- handles: @name, platform:name with any alias, bare names
    ("@TokenPocket_TP", "handle", None, "TokenPocket_TP", "tokenpocket_tp", ("no_platform",)),
    ("@tokenpocket_cn", "handle", None, "tokenpocket_cn", "tokenpocket_cn", ("no_platform",)),
    ("TokenPocket_TP", "handle", None, "TokenPocket_TP", "tokenpocket_tp", ("no_platform",)),
    ("Larva_1", "handle", None, "Larva_1", "larva_1", ("no_platform",)),
    ("john.doe", "handle", None, "john.doe", "john.doe", ("no_platform",)),
    ("telegram:tokenpocket_en", "handle", "telegram", "tokenpocket_en", "tokenpocket_en", ()),
    ("Telegram: @tokenPocket_en", "handle", "telegram", "tokenPocket_en", "tokenpocket_en", ()),
    ("tg:tokenpocket_kor", "handle", "telegram", "tokenpocket_kor", "tokenpocket_kor", ()),
    ("tg: +AbCdEf123456", "handle", "telegram", "+AbCdEf123456", "+AbCdEf123456", ()),
    ("电报：tokenpocket_cn", "handle", "telegram", "tokenpocket_cn", "tokenpocket_cn", ()),
    ("x:@TokenPocket_TP", "handle", "twitter", "TokenPocket_TP", "tokenpocket_tp", ()),
    ("twitter:tokenpocket_cn", "handle", "twitter", "tokenpocket_cn", "tokenpocket_cn", ()),
    ("discord:invite/NKPM8TXFQk", "handle", "discord", "invite/NKPM8TXFQk", "invite/NKPM8TXFQk", ()),
    ("dc:NKPM8TXFQk", "handle", "discord", "invite/NKPM8TXFQk", "invite/NKPM8TXFQk", ()),
    ("yt:UCudaS5hcbqUaMtOGHmQ2e0A", "handle", "youtube", "channel/UCudaS5hcbqUaMtOGHmQ2e0A", "channel/UCudaS5hcbqUaMtOGHmQ2e0A", ()),
    ("fb:TokenPocket", "handle", "facebook", "TokenPocket", "tokenpocket", ()),
    ("ig:tokenpocket", "handle", "instagram", "tokenpocket", "tokenpocket", ()),
    ("gh:TP-Lab", "handle", "github", "TP-Lab", "tp-lab", ()),
    ("medium:@tokenpocket.gm", "handle", "medium", "tokenpocket.gm", "tokenpocket-gm", ()),
    ("wechat:tokenpocket_wx", "handle", "wechat", "tokenpocket_wx", "tokenpocket_wx", ()),
    ("微信：TokenPocket_wx", "handle", "wechat", "TokenPocket_wx", "tokenpocket_wx", ()),
    ("vx:tpwallet888", "handle", "wechat", "tpwallet888", "tpwallet888", ()),
    ("wx: tpwallet888", "handle", "wechat", "tpwallet888", "tpwallet888", ()),
    ("qq:12345", "handle", "qq", "12345", "12345", ()),
    ("QQ：800123456", "handle", "qq", "800123456", "800123456", ()),
    ("whatsapp:+86 138 0013 8000", "handle", "whatsapp", "8613800138000", "8613800138000", ()),
    ("telegram: https://t.me/tokenpocket_cn", "handle", "telegram", "tokenpocket_cn", "tokenpocket_cn", ("platform_from_url",)),
    ("telegram: https://x.com/TokenPocket_TP", "handle", "twitter", "TokenPocket_TP", "tokenpocket_tp",
     ("platform_mismatch", "platform_from_url")),
    # --- phones
    ("+86 138 0013 8000", "phone", None, "+8613800138000", "+8613800138000", ()),
    ("+8613800138000", "phone", None, "+8613800138000", "+8613800138000", ()),
    ("+86-138-0013-8000", "phone", None, "+8613800138000", "+8613800138000", ()),
    ("+1 (800) 555-0100", "phone", None, "+18005550100", "+18005550100", ()),
    ("008613800138000", "phone", None, "+8613800138000", "+8613800138000", ()),
    ("13800138000", "phone", None, "+8613800138000", "+8613800138000", ("phone_region_assumed",)),
    ("138 0013 8000", "phone", None, "+8613800138000", "+8613800138000", ("phone_region_assumed",)),
    ("tel:+8613800138000", "phone", None, "+8613800138000", "+8613800138000", ()),
    ("12345", "phone", None, "12345", "12345", ("phone_unparsed",)),
    ("+999 1234 5678", "phone", None, "+99912345678", "+99912345678", ("phone_unparsed",)),
    ("800.555.0100", "phone", None, "+868005550100", "+868005550100", ("phone_region_assumed",)),
    # --- wallet addresses (real-format vectors)
    (USDT_ERC20, "wallet_address", "evm", USDT_ERC20, USDT_ERC20, ("evm_checksum_unverified",)),
    (USDT_ERC20.lower(), "wallet_address", "evm", USDT_ERC20.lower(), USDT_ERC20.lower(), ()),
    (USDT_TRC20, "wallet_address", "tron", USDT_TRC20, USDT_TRC20, ()),
    (USDT_TRC20[:-1] + "u", "wallet_address", "tron", USDT_TRC20[:-1] + "u", USDT_TRC20[:-1] + "u", ("wallet_checksum_invalid",)),
    ("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", "wallet_address", "bitcoin", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", ()),
    ("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb", "wallet_address", "bitcoin", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb",
     ("wallet_checksum_invalid",)),
    ("3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", "wallet_address", "bitcoin", "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", ()),
    (WSOL, "wallet_address", "solana", WSOL, WSOL, ()),
    ("EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v", "wallet_address", "solana",
     "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v", "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v", ()),
]

# BIP-173 / BIP-350 valid address test vectors (bech32 is case-insensitive: lower-cased).
SEGWIT_VALID = [
    ("BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4", ()),
    ("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", ()),
    ("tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7", ("testnet_address",)),
    ("bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kt5nd6y", ()),
    ("BC1SW50QGDZ25J", ()),
    ("bc1zw508d6qejxtdg4y5r3zarvaryvaxxpcs", ()),
    ("tb1qqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesrxh6hy", ("testnet_address",)),
    ("tb1pqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesf3hn0c", ("testnet_address",)),
    ("bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0", ()),
]
SEGWIT_BAD_CHECKSUM = [
    "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5",  # last character changed
    "bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7k7grplx",  # v1 with bech32, not bech32m
]


def codes(item: Item) -> list[str]:
    return sorted(o.code for o in item.observations)


@pytest.mark.parametrize("text, kind, platform, normalized, key, expected", CASES)
def test_classify(text, kind, platform, normalized, key, expected):
    item = classify(text)
    assert (item.kind, item.platform, item.normalized, item.key) == (kind, platform, normalized, key)
    assert codes(item) == sorted(expected)
    assert item.raw == text


@pytest.mark.parametrize("address, expected", SEGWIT_VALID)
def test_segwit_vectors(address, expected):
    item = classify(address)
    assert (item.kind, item.platform, item.normalized) == ("wallet_address", "bitcoin", address.lower())
    assert codes(item) == sorted(expected)


@pytest.mark.parametrize("address", SEGWIT_BAD_CHECKSUM)
def test_segwit_bad_checksum_is_flagged(address):
    item = classify(address)
    assert item.kind == "wallet_address" and item.has("wallet_checksum_invalid")


# (input, platform argument, kind, platform, normalized, key, observation codes)
WITH_PLATFORM = [
    ("tokenpocket_en", "telegram", "handle", "telegram", "tokenpocket_en", "tokenpocket_en", ()),
    ("@tokenPocket_en", "tg", "handle", "telegram", "tokenPocket_en", "tokenpocket_en", ()),
    ("+AbCdEf123456", "telegram", "handle", "telegram", "+AbCdEf123456", "+AbCdEf123456", ()),
    ("TokenPocket_TP", "x", "handle", "twitter", "TokenPocket_TP", "tokenpocket_tp", ()),
    ("TokenPocket", "facebook", "handle", "facebook", "TokenPocket", "tokenpocket", ()),
    ("tokenpocket.gm", "medium", "handle", "medium", "tokenpocket.gm", "tokenpocket-gm", ()),
    ("NKPM8TXFQk", "discord", "handle", "discord", "invite/NKPM8TXFQk", "invite/NKPM8TXFQk", ()),
    ("12345678", "qq", "handle", "qq", "12345678", "12345678", ()),
    ("tpwallet888", "微信", "handle", "wechat", "tpwallet888", "tpwallet888", ()),
    ("https://t.me/tokenpocket_cn", "telegram", "handle", "telegram", "tokenpocket_cn", "tokenpocket_cn", ("platform_from_url",)),
    ("https://x.com/TokenPocket_TP", "telegram", "handle", "twitter", "TokenPocket_TP", "tokenpocket_tp",
     ("platform_mismatch", "platform_from_url")),
    ("tokenpocket.pro", "telegram", "domain", None, "tokenpocket.pro", "tokenpocket.pro", ()),
    (USDT_ERC20.lower(), "ethereum", "wallet_address", "evm", USDT_ERC20.lower(), USDT_ERC20.lower(), ()),
    (USDT_ERC20.lower(), "bsc", "wallet_address", "evm", USDT_ERC20.lower(), USDT_ERC20.lower(), ()),
    (USDT_TRC20, "trc20", "wallet_address", "tron", USDT_TRC20, USDT_TRC20, ()),
    (USDT_ERC20.lower(), "tron", "wallet_address", "evm", USDT_ERC20.lower(), USDT_ERC20.lower(), ("chain_mismatch",)),
]


@pytest.mark.parametrize("text, platform_arg, kind, platform, normalized, key, expected", WITH_PLATFORM)
def test_classify_with_platform(text, platform_arg, kind, platform, normalized, key, expected):
    item = classify(text, platform=platform_arg)
    assert (item.kind, item.platform, item.normalized, item.key) == (kind, platform, normalized, key)
    assert codes(item) == sorted(expected)


@pytest.mark.parametrize(
    "text, code, detail",
    [
        ("https://tokenpocket.pro@evil.example/x", "userinfo_present", "tokenpocket.pro"),
        ("https://service:tokenpocket.pro@evil.example/", "userinfo_present", "service:tokenpocket.pro"),
        ("service@tokenpocket.pro <scam@evil.example>", "display_name_address", "service@tokenpocket.pro"),
        ('"service@tokenpocket.pro" <scam@gmail.com>', "display_name_address", "service@tokenpocket.pro"),
        ("tokenpocket.pro Support <helpdesk@gmail.com>", "display_name_address", "tokenpocket.pro"),
        ("TokenPocket Support <service@tokenpocket.pro>", "display_name", "TokenPocket Support"),
        ('"TokenPocket, Support" <service@tokenpocket.pro>', "display_name", "TokenPocket, Support"),
        ("service+refund@tokenpocket.pro", "subaddress", "refund"),
        (f"token{ZWSP}pocket.pro", "hidden_characters", "token<U+200B>pocket.pro"),
        (f"{RLO}tokenpocket.pro", "hidden_characters", "<U+202E>tokenpocket.pro"),
        ("http://2130706433/", "ip_literal", "127.0.0.1"),
        (f"tokenp{CYRILLIC_O}cket.pro", "idn", f"tokenp{CYRILLIC_O}cket.pro"),
        ("https://tokenpocket.pro:8443/", "nondefault_port", "8443"),
        ("javascript:alert(1)", "unsupported_scheme", "javascript"),
        ("tokenpocket .pro", "whitespace_in_input", "tokenpocket .pro"),
        ("https://t.me/tokenpocket_cn", "platform_from_url", "telegram"),
    ],
)
def test_observation_details(text, code, detail):
    found = classify(text).observation(code)
    assert found is not None and found.detail == detail


@pytest.mark.parametrize(
    "text",
    ["https://evil.example\\@tokenpocket.pro", "https://tokenpocket.pro\\@evil.example"],
)
def test_parser_disagreement_names_both_hosts(text):
    detail = classify(text).observation("parser_disagreement").detail
    assert "evil.example" in detail and "tokenpocket.pro" in detail


def test_profile_link_keeps_url_and_path():
    item = classify("https://github.com/TP-Lab/tp-js-sdk")
    assert item.url == "https://github.com/TP-Lab/tp-js-sdk"
    assert item.path == "/TP-Lab/tp-js-sdk"
    assert item.host is not None and item.host.ascii == "github.com"
    assert item.scheme == "https"


def test_email_fields():
    item = classify('"TokenPocket Support" <Service@TokenPocket.pro>')
    assert item.local_part == "Service" and item.display_name == "TokenPocket Support"
    assert item.host is not None and item.host.ascii == "tokenpocket.pro"


def test_domain_item_has_host():
    item = classify("www.TokenPocket.pro.")
    assert item.host is not None and item.host.registrable == "tokenpocket.pro" and item.host.suffix == "pro"


# (input, platform argument, error code)
INVALID = [
    ("", None, "empty_input"),
    ("   ", None, "empty_input"),
    (ZWSP * 3, None, "empty_input"),
    ("a" * 5000, None, "input_too_long"),
    ("\u0660" * 20000, None, "input_too_long"),
    ("https://tokenpocket.pro/" + "a" * 3000, None, "input_too_long"),
    ("\ud800tokenpocket.pro", None, "invalid_text"),
    ("hello world", None, "unrecognised_input"),
    ("this is not anything we know ###", None, "unrecognised_input"),
    ("ab", None, "unrecognised_input"),
    ("ab", "telegram", "unrecognised_input"),
    ("a" * 64 + ".com", None, "invalid_host"),
    ("https://" + "a" * 64 + ".com/", None, "invalid_host"),
    ("https://" + "\u0660" * 300 + ".com/", None, "invalid_host"),
    ("\u0660" * 300 + ".com", None, "invalid_host"),
    ("tokenpocket..pro", None, "invalid_host"),
    ("https://", None, "invalid_host"),
    ("https://1.2.3.999/", None, "invalid_host"),
    ("https://tokenpocket.pro:99999/", None, "invalid_url"),
    ("a@b@c.com", None, "invalid_email"),
    ("a@b.c, d@e.f", None, "invalid_email"),
    ("<a@b.c> <d@e.f>", None, "invalid_email"),
    ("Name <a@b.c", None, "invalid_email"),
    ('"unbalanced <a@b.c>', None, "invalid_email"),
    ("service@", None, "invalid_email"),
    ("telegram:tok", None, "invalid_handle"),
    ("x:@this_is_far_too_long", None, "invalid_handle"),
    ("linkedin:tokenpocket", None, "invalid_handle"),
    ("@", None, "invalid_handle"),
    ("tokenpocket_en", "myspace", "unknown_platform"),
    ("tel:hello", None, "invalid_phone"),
]


@pytest.mark.parametrize("text, platform, code", INVALID)
def test_invalid(text, platform, code):
    with pytest.raises(InvalidInputError) as caught:
        classify(text, platform=platform)
    assert caught.value.code == code
    assert "expected" in caught.value.message or "at most" in caught.value.message


def test_huge_idn_fails_fast():
    # CVE-2026-45409: refused by the length cap before IDNA ever runs.
    with pytest.raises(InvalidInputError):
        classify("\u0660" * 20000)


def test_unrecognised_message_says_what_was_expected():
    with pytest.raises(InvalidInputError) as caught:
        classify("hello world")
    assert "expected a link, domain, email address, @handle, phone number or wallet address" in caught.value.message


def test_rows_table_names_are_unique():
    names = [row.name for row in ROWS]
    assert len(names) == len(set(names))


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    st.one_of(
        st.text(alphabet=st.characters(blacklist_categories=())),  # includes lone surrogates
        st.lists(
            st.sampled_from(
                list("aZ09.-_@:/\\?#%[]<>\"' +()。．ｔ\u200b\u202eоxX\u0660,;\t")
                + ["http://", "https://", "xn--", "t.me/", "mailto:", "tg://resolve?domain=", "0x", "bc1", "@", "\ud800"]
            ),
            max_size=30,
        ).map("".join),
    ),
    st.sampled_from([None, "telegram", "x", "discord", "youtube", "medium", "whatsapp", "qq", "tron", "linkedin"]),
)
def test_any_text_gives_an_item_or_invalid_input(text, platform):
    try:
        item = classify(text, platform=platform)
    except InvalidInputError as exc:
        assert exc.code and exc.message
    else:
        assert isinstance(item, Item)
        assert item.raw == text
        assert item.kind in ("url", "domain", "email", "handle", "phone", "wallet_address")


@pytest.mark.parametrize("text", ["tg://resolve?domain=%ff", "tg://join?invite=%ff%fe", "tg://resolve?domain=%C0%80"])
def test_tg_links_with_bytes_that_are_not_utf8_are_not_a_crash(text):
    item = classify(text)
    assert item.kind == "url" and item.has("unsupported_scheme")
