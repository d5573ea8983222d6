"""TXT lookups for the e-mail check (DKIM keys, DMARC records), through dnspython.

The pure part (:mod:`verifier.mailauth`) never touches the network: it takes a ``lookup(name)``
function. This module builds the real one, pinned to ``VERIFIER_DNS_NAMESERVERS`` (``ip`` or
``ip:port``, ``[v6]:port``, comma-separated) or, when that is empty, the system's resolvers.

Answers, as :mod:`verifier.mailauth` needs them:

* the TXT strings of the name (each record's strings joined, as RFC 6376 3.6.2.2 and RFC
  7489 6.6.3 say);
* ``[]`` when the name does not exist (NXDOMAIN) or has no TXT record (NOERROR, no data):
  a *proof* of absence from the server;
* :class:`~verifier.mailauth.DnsUnavailable` for everything else: timeouts, refused ports,
  SERVFAIL/REFUSED from every server, no resolver configured. Unlike dkimpy's own lookup
  (which reads SERVFAIL as "no key"), a broken DNS is never taken as "this key does not
  exist": it makes the answer ``unverifiable``, not ``forged``.

Short timeouts: a person is waiting for the page, and one message may need a few lookups.
"""

from __future__ import annotations

import threading

import dns.exception
import dns.name
import dns.nameserver
import dns.rdatatype
import dns.resolver

from verifier.mailauth import DnsUnavailable, TxtLookup, parse_nameservers

#: Seconds for one server to answer, and for a whole lookup (every server, retries).
TIMEOUT = 1.5
LIFETIME = 3.0
#: Answers kept (their own TTLs apply): victims of one campaign paste mail signed with one key.
CACHE_ENTRIES = 2048


class Resolver:
    """A TXT lookup function (``Resolver(...)(name)``) over one dnspython resolver; thread-safe
    (dnspython's resolver and cache are safe to share; the lock only guards building it)."""

    def __init__(self, nameservers: tuple[str, ...] = (), *, timeout: float = TIMEOUT, lifetime: float = LIFETIME) -> None:
        self.pinned = parse_nameservers(nameservers)
        self.timeout = timeout
        self.lifetime = lifetime
        self._resolver: dns.resolver.Resolver | None = None
        self._error: str | None = None
        self._lock = threading.Lock()

    def _get(self) -> dns.resolver.Resolver:
        with self._lock:
            if self._resolver is None and self._error is None:
                try:
                    resolver = dns.resolver.Resolver(configure=not self.pinned)
                except dns.resolver.NoResolverConfiguration as err:
                    self._error = f"no DNS resolver configured ({err}); set VERIFIER_DNS_NAMESERVERS"
                else:
                    if self.pinned:
                        resolver.nameservers = [dns.nameserver.Do53Nameserver(a, p) for a, p in self.pinned]
                    resolver.timeout = self.timeout
                    resolver.lifetime = self.lifetime
                    resolver.cache = dns.resolver.LRUCache(CACHE_ENTRIES)
                    self._resolver = resolver
            if self._resolver is None:
                raise DnsUnavailable(self._error or "no DNS resolver")
            return self._resolver

    def __call__(self, name: str) -> list[bytes]:
        resolver = self._get()
        try:
            answer = resolver.resolve(dns.name.from_text(name), dns.rdatatype.TXT, search=False,
                                      raise_on_no_answer=False)
        except dns.resolver.NXDOMAIN:
            return []
        except (dns.exception.Timeout, dns.resolver.NoNameservers) as err:
            raise DnsUnavailable(f"DNS did not answer for {name}: {type(err).__name__}") from None
        except dns.exception.DNSException as err:  # a malformed name or answer: not a proof of absence
            raise DnsUnavailable(f"DNS lookup of {name} failed: {type(err).__name__}") from None
        if answer.rrset is None:
            return []
        return [b"".join(rdata.strings) for rdata in answer.rrset]


def lookup_for(settings) -> TxtLookup:
    """The lookup for these settings (``VERIFIER_DNS_NAMESERVERS``)."""
    return Resolver(tuple(settings.dns_nameservers))
