"""Fetching a suspect page safely: the only module of the product that opens connections.

The deep check reads pages that scammers chose, by URLs that victims paste. Without care this
is a server-side request forgery tool (SECURITY.md #3). The rules, each enforced per hop:

* only ``http``/``https``, only the ports in :class:`FetchLimits` (80 and 443 by default);
* the host is what a browser would visit (WHATWG parsing with ada-url), IP literals in every
  notation included;
* the name is resolved **once**; every address must be publicly routable (the block list
  below, plus the IPv4 embedded in NAT64, 6to4, Teredo, IPv4-mapped and IPv4-compatible IPv6
  forms), unless it is inside an explicitly allowed network (``VERIFIER_FETCH_ALLOWED_NETWORKS``);
* the connection goes to the address that was checked (no second lookup, so no DNS
  rebinding), with the original name for the ``Host`` header, TLS SNI and certificate check;
* redirects are followed by hand, at most ``max_redirects``, each hop checked again;
* limits on total time and on bytes *decoded* while streaming (gzip bombs), HTML-ish content
  types only; no cookies, no credentials, no proxies from the environment, a clear user agent.

Every failure is a :class:`FetchError` subclass with a stable code and a clear message.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable, Iterable, Protocol

import ada_url
import requests
import urllib3
from requests.adapters import HTTPAdapter

from verifier import __version__
from verifier.errors import FetchError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[[str, int], list[str]]

# Not publicly routable, or reserved for documentation, benchmarking, translation or the future.
BLOCKED_NETWORKS: tuple[IPNetwork, ...] = tuple(
    ipaddress.ip_network(n)
    for n in (
        "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
        "192.0.0.0/24", "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15",
        "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4", "255.255.255.255/32",
        "::/128", "::1/128", "::/96", "::ffff:0:0/96", "64:ff9b::/96", "64:ff9b:1::/48", "100::/64",
        "2001::/23", "2001:db8::/32", "2002::/16", "3fff::/20", "5f00::/16", "fc00::/7", "fe80::/10",
        "fec0::/10", "ff00::/8",
    )
)


class FetchBlocked(FetchError):
    """The URL, port or address is not one the fetcher may reach."""

    code = "fetch_blocked"
    status = 422


class FetchTimeout(FetchError):
    code = "fetch_timeout"
    status = 504


class FetchNotHTML(FetchError):
    code = "fetch_not_html"
    status = 422


class FetchTooManyRedirects(FetchError):
    code = "fetch_too_many_redirects"
    status = 422


class FetchFailed(FetchError):
    """Name not found, connection refused, TLS failure, a broken response."""

    code = "fetch_failed"
    status = 502


@dataclass(frozen=True, slots=True)
class FetchLimits:
    """Every limit of the fetcher in one place."""

    total_seconds: float = 10.0
    connect_seconds: float = 4.0
    read_seconds: float = 5.0
    # Decoded bytes kept: the stream stops past this (a compression bomb stops here too) and
    # the page is judged on what was read, marked ``truncated``.
    max_bytes: int = 2 * 1024 * 1024
    max_redirects: int = 5
    ports: frozenset[int] = frozenset({80, 443})
    content_types: tuple[str, ...] = ("text/html", "application/xhtml+xml", "text/plain")
    user_agent: str = f"tp-channel-verifier/{__version__} (deep page check; reads one page, follows no links)"
    allowed_networks: tuple[IPNetwork, ...] = ()

    @classmethod
    def with_allowed(cls, cidrs: Iterable[str], **changes: object) -> "FetchLimits":
        """Limits allowing the named networks (e.g. ``127.0.0.1/32`` in tests), refusing bad CIDRs."""
        if "ports" in changes:
            changes["ports"] = _ports(changes["ports"])  # type: ignore[arg-type]
        networks = []
        for cidr in cidrs:
            try:
                networks.append(ipaddress.ip_network(cidr.strip(), strict=False))
            except ValueError:
                raise FetchBlocked(f"VERIFIER_FETCH_ALLOWED_NETWORKS has {cidr!r}, which is not a CIDR such as 127.0.0.1/32") from None
        return cls(allowed_networks=tuple(networks), **changes)  # type: ignore[arg-type]


def _ports(values: Iterable[object]) -> frozenset[int]:
    """Port numbers from settings text or ints, refusing anything that is not 1..65535."""
    ports = set()
    for value in values:
        try:
            port = int(str(value).strip())
        except ValueError:
            port = 0
        if not 0 < port < 65536:
            raise FetchBlocked(f"VERIFIER_FETCH_PORTS has {value!r}, which is not a port number")
        ports.add(port)
    return frozenset(ports)


@dataclass(frozen=True, slots=True)
class FetchedPage:
    """What was read, from where, and when."""

    url: str  # as asked
    final_url: str  # after redirects
    status: int
    content_type: str
    body: bytes
    address: str  # the IP address the final response came from
    fetched_at: datetime
    redirects: tuple[str, ...] = field(default=())
    truncated: bool = False


class Fetcher(Protocol):
    def fetch(self, url: str) -> FetchedPage: ...


def embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 transition form carries (mapped, NAT64, 6to4, Teredo, compatible)."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    packed = address.packed
    if packed[:12] == bytes(12):  # ::a.b.c.d (IPv4-compatible, deprecated)
        return ipaddress.IPv4Address(packed[12:])
    if address in ipaddress.ip_network("64:ff9b::/96") or address in ipaddress.ip_network("64:ff9b:1::/48"):
        return ipaddress.IPv4Address(packed[12:])
    return None


def refusal(address: IPAddress, allowed: tuple[IPNetwork, ...] = ()) -> str | None:
    """Why ``address`` may not be fetched from, or ``None`` when it may."""
    if any(address.version == net.version and address in net for net in allowed):
        return None
    for net in BLOCKED_NETWORKS:
        if address.version == net.version and address in net:
            inner = embedded_ipv4(address) if isinstance(address, ipaddress.IPv6Address) else None
            extra = f" (it carries {inner})" if inner is not None else ""
            return f"{address} is in {net}, which is not a public address{extra}"
    if isinstance(address, ipaddress.IPv6Address):
        inner = embedded_ipv4(address)
        if inner is not None and refusal(inner, allowed) is not None:
            return f"{address} carries {inner}, which is not a public address"
    if not address.is_global or address.is_multicast:
        return f"{address} is not a public unicast address"
    return None


def system_resolver(host: str, port: int) -> list[str]:
    """Every address the system resolver gives for ``host``."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchFailed(f"the name {host} could not be resolved ({exc})") from None
    return list(dict.fromkeys(info[4][0] for info in infos))


class _PinnedHostAdapter(HTTPAdapter):
    """Connects to an IP literal while presenting ``hostname`` for SNI and certificate checks."""

    def __init__(self, hostname: str) -> None:
        self.hostname = hostname
        super().__init__(max_retries=0)

    def init_poolmanager(self, *args: object, **kwargs: object) -> None:
        kwargs["server_hostname"] = self.hostname
        kwargs["assert_hostname"] = self.hostname
        super().init_poolmanager(*args, **kwargs)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class _Hop:
    url: str
    scheme: str
    host: str  # ASCII host name (or IP literal without brackets)
    port: int
    address: str  # the checked address the connection goes to
    target: str  # the URL with the host replaced by that address


class SafeFetcher:
    """The fetcher of the deep check. ``resolver`` and ``clock`` are injectable for tests."""

    def __init__(self, limits: FetchLimits | None = None, *, resolver: Resolver | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits or FetchLimits()
        self._resolver = resolver
        self.clock = clock

    def resolver(self, host: str, port: int) -> list[str]:
        return (self._resolver or system_resolver)(host, port)

    def fetch(self, url: str) -> FetchedPage:
        deadline = self.clock() + self.limits.total_seconds
        redirects: list[str] = []
        current = url
        while True:
            hop = self._plan(current)
            response, address = self._request(hop, deadline)
            try:
                if response.status_code in (301, 302, 303, 307, 308) and "Location" in response.headers:
                    if len(redirects) >= self.limits.max_redirects:
                        raise FetchTooManyRedirects(f"{url} redirected more than {self.limits.max_redirects} times")
                    current = self._join(current, response.headers["Location"])
                    redirects.append(current)
                    continue
                return self._read(url, current, response, address, deadline, tuple(redirects))
            finally:
                response.close()

    # -- one hop ---------------------------------------------------------------------------

    def _plan(self, url: str) -> _Hop:
        """Parse as a browser would, check scheme and port, resolve once, check every address."""
        try:
            parsed = ada_url.parse_url(url, attributes=("protocol", "hostname", "port", "pathname", "search", "host_type"))
        except ValueError:
            raise FetchBlocked(f"{url[:200]!r} is not a valid link") from None
        scheme = parsed["protocol"].rstrip(":")
        if scheme not in ("http", "https"):
            raise FetchBlocked(f"only http and https pages are read, not {scheme}:")
        port = int(parsed["port"]) if parsed["port"] else (443 if scheme == "https" else 80)
        if port not in self.limits.ports:
            raise FetchBlocked(f"port {port} is not one the page reader uses ({', '.join(map(str, sorted(self.limits.ports)))})")
        host = parsed["hostname"].strip("[]")
        try:
            literal: IPAddress | None = ipaddress.ip_address(host)
        except ValueError:
            literal = None
        candidates = [host] if literal is not None else self.resolver(host.rstrip("."), port)
        if not candidates:
            raise FetchFailed(f"the name {host} has no address")
        addresses = [ipaddress.ip_address(a.split("%", 1)[0]) for a in candidates]
        for address in addresses:
            why = refusal(address, self.limits.allowed_networks)
            if why is not None:
                raise FetchBlocked(f"{host} resolves to {why}; the page reader only reaches public servers")
        chosen = addresses[0]
        netloc = f"[{chosen}]" if chosen.version == 6 else str(chosen)
        if parsed["port"]:
            netloc += f":{port}"
        target = f"{scheme}://{netloc}{parsed['pathname']}{parsed['search']}"
        return _Hop(url=url, scheme=scheme, host=host, port=port, address=str(chosen), target=target)

    def _request(self, hop: _Hop, deadline: float) -> tuple[requests.Response, str]:
        remaining = deadline - self.clock()
        if remaining <= 0:
            raise FetchTimeout(f"reading {hop.url} took longer than {self.limits.total_seconds:g} s")
        session = requests.Session()
        session.trust_env = False  # no proxies, no .netrc credentials from the environment
        session.mount(f"{hop.scheme}://", _PinnedHostAdapter(hop.host))
        default_port = 443 if hop.scheme == "https" else 80
        host_header = hop.host if hop.port == default_port else f"{hop.host}:{hop.port}"
        if ":" in hop.host and not hop.host.startswith("["):
            host_header = f"[{hop.host}]" if hop.port == default_port else f"[{hop.host}]:{hop.port}"
        headers = {
            "Host": host_header,
            "User-Agent": self.limits.user_agent,
            "Accept": "text/html,application/xhtml+xml;q=0.9,text/plain;q=0.5",
            "Accept-Encoding": "gzip, deflate",
        }
        timeout = (min(self.limits.connect_seconds, remaining), min(self.limits.read_seconds, remaining))
        try:
            response = session.get(hop.target, headers=headers, timeout=timeout, allow_redirects=False, stream=True)
        except requests.Timeout:
            raise FetchTimeout(f"{hop.host} did not answer in time") from None
        except requests.exceptions.SSLError as exc:
            raise FetchFailed(f"the TLS certificate of {hop.host} could not be verified ({_short(exc)})") from None
        except requests.RequestException as exc:
            raise FetchFailed(f"could not read {hop.url[:200]} ({_short(exc)})") from None
        return response, hop.address

    def _read(self, url: str, final: str, response: requests.Response, address: str, deadline: float,
              redirects: tuple[str, ...]) -> FetchedPage:
        content_type = response.headers.get("Content-Type", "").split(";", 1)[0].strip().lower()
        if content_type not in self.limits.content_types:
            raise FetchNotHTML(f"{final[:200]} is {content_type or 'of no stated type'}, not a web page")
        chunks: list[bytes] = []
        size = 0
        truncated = False
        try:
            # read1: whatever has arrived (up to 16 KiB), so a server that drips bytes meets
            # the total deadline between reads instead of filling a fixed-size chunk first.
            while chunk := response.raw.read1(16 * 1024, decode_content=True):
                if self.clock() > deadline:
                    raise FetchTimeout(f"reading {url[:200]} took longer than {self.limits.total_seconds:g} s")
                size += len(chunk)
                if size > self.limits.max_bytes:
                    # Keep what fits: enough to judge the page; a bomb stops here.
                    chunks.append(chunk[: len(chunk) - (size - self.limits.max_bytes)])
                    truncated = True
                    break
                chunks.append(chunk)
        except FetchError:
            raise
        except (requests.RequestException, OSError, ValueError, urllib3.exceptions.HTTPError) as exc:
            if "timed out" in str(exc).lower():
                raise FetchTimeout(f"{url[:200]} stopped sending data") from None
            raise FetchFailed(f"the answer from {url[:200]} was broken ({_short(exc)})") from None
        return FetchedPage(
            url=url,
            final_url=final,
            status=response.status_code,
            content_type=content_type,
            body=b"".join(chunks),
            address=address,
            fetched_at=datetime.now(timezone.utc),
            redirects=redirects,
            truncated=truncated,
        )

    @staticmethod
    def _join(base: str, location: str) -> str:
        try:
            return ada_url.join_url(base, location)
        except ValueError:
            raise FetchBlocked(f"a redirect to {location[:200]!r} is not a valid link") from None


def _short(exc: BaseException) -> str:
    text = str(exc)
    return text if len(text) <= 160 else text[:157] + "..."
