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
* one wall-clock deadline per fetch (``VERIFIER_FETCH_DEADLINE_SECONDS``, 10 s) covering the
  name lookup, connect, TLS, headers and body of every hop: whatever the peer does (one header
  byte every half second, a TLS handshake that never ends), a watchdog shuts the connection
  down when it passes, and the fetch is a ``fetch_timeout``; per-read timeouts alone let a
  drip hold a fetch for as long as it liked;
* a limit on bytes *decoded* while streaming (gzip bombs), HTML-ish content types only; no
  cookies, no credentials, no proxies from the environment, a clear user agent.

Every failure is a :class:`FetchError` subclass with a stable code and a clear message.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable, Iterable, Protocol

import ada_url
import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

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

    # The wall-clock deadline of one fetch, redirects included (VERIFIER_FETCH_DEADLINE_SECONDS).
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


# Name lookups run in a thread of their own, so that one that hangs (a name server that never
# answers) costs the fetch no more than its deadline; getaddrinfo cannot be interrupted, so the
# thread (a daemon: it never holds up the CLI's exit) finishes on its own. At most DNS_THREADS
# run at once per process: more wait for one, and time out at their fetch's deadline.
DNS_THREADS = 4
_dns_slots: tuple[int, threading.BoundedSemaphore] | None = None
_dns_lock = threading.Lock()


def _lookup_slots() -> threading.BoundedSemaphore:
    """This process's lookup slots (made anew in a forked worker: the threads that held the
    parent's slots do not exist in it)."""
    global _dns_slots
    with _dns_lock:
        if _dns_slots is None or _dns_slots[0] != os.getpid():
            _dns_slots = (os.getpid(), threading.BoundedSemaphore(DNS_THREADS))
        return _dns_slots[1]


class _Watchdog:
    """One fetch's deadline, enforced on its sockets whatever the peer does.

    Every connection the fetch opens is registered (:meth:`watch`); when the deadline passes,
    each is shut down, which wakes a read blocked in the fetching thread (it sees the end of
    the stream or an error, and the fetch reports ``fetch_timeout`` because :attr:`expired`).
    The watchdog keeps a duplicate of each socket's descriptor until :meth:`close`, so it can
    never shut down another connection that reused a closed descriptor's number.
    """

    def __init__(self, seconds: float) -> None:
        self.expired = threading.Event()
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._closed = False
        self._timer = threading.Timer(max(seconds, 0.0), self._expire)
        self._timer.daemon = True
        self._timer.start()

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            if self._closed:
                return
            try:
                self._sockets.append(sock.dup())
            except OSError:
                return
            late = self.expired.is_set()
        if late:
            self._expire()

    def _expire(self) -> None:
        with self._lock:
            self.expired.set()
            for sock in self._sockets:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass  # already closed by the peer

    def close(self) -> None:
        self._timer.cancel()
        with self._lock:
            self._closed = True
            for sock in self._sockets:
                sock.close()
            self._sockets.clear()


# The watchdog of the fetch running in this thread: requests and urllib3 open connections in
# the calling thread, so the connection classes below find it here.
_current = threading.local()


def _watched(sock: socket.socket) -> socket.socket:
    watchdog: _Watchdog | None = getattr(_current, "watchdog", None)
    if watchdog is not None:
        watchdog.watch(sock)
    return sock


class _WatchedHTTPConnection(HTTPConnection):
    def _new_conn(self) -> socket.socket:
        return _watched(super()._new_conn())


class _WatchedHTTPSConnection(HTTPSConnection):
    # Registered before the TLS handshake, so a handshake that drips is cut at the deadline too.
    def _new_conn(self) -> socket.socket:
        return _watched(super()._new_conn())


class _WatchedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


class _PinnedHostAdapter(HTTPAdapter):
    """Connects to an IP literal while presenting ``hostname`` for SNI and certificate checks;
    its connections are watched by the fetch's deadline."""

    def __init__(self, hostname: str) -> None:
        self.hostname = hostname
        super().__init__(max_retries=0)

    def init_poolmanager(self, *args: object, **kwargs: object) -> None:
        kwargs["server_hostname"] = self.hostname
        kwargs["assert_hostname"] = self.hostname
        super().init_poolmanager(*args, **kwargs)  # type: ignore[arg-type]
        self.poolmanager.pool_classes_by_scheme = {"http": _WatchedHTTPPool, "https": _WatchedHTTPSPool}


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
        watchdog = _Watchdog(self.limits.total_seconds)
        outer = getattr(_current, "watchdog", None)
        _current.watchdog = watchdog
        try:
            return self._fetch(url, deadline, watchdog)
        finally:
            _current.watchdog = outer
            watchdog.close()

    def _fetch(self, url: str, deadline: float, watchdog: _Watchdog) -> FetchedPage:
        redirects: list[str] = []
        current = url
        while True:
            hop = self._plan(current, deadline)
            session, response, address = self._request(hop, deadline, watchdog)
            try:
                if response.status_code in (301, 302, 303, 307, 308) and "Location" in response.headers:
                    if len(redirects) >= self.limits.max_redirects:
                        raise FetchTooManyRedirects(f"{url} redirected more than {self.limits.max_redirects} times")
                    current = self._join(current, response.headers["Location"])
                    redirects.append(current)
                    continue
                return self._read(url, current, response, address, deadline, tuple(redirects), watchdog)
            finally:
                response.close()
                session.close()

    def _too_slow(self, url: str) -> FetchTimeout:
        return FetchTimeout(f"reading {url[:200]} took longer than {self.limits.total_seconds:g} s")

    def _resolve(self, host: str, port: int, url: str, deadline: float) -> list[str]:
        """The resolver's answer, or a timeout when it has none before the deadline."""
        late = FetchTimeout(f"the name {host} was not resolved within {self.limits.total_seconds:g} s")
        slots = _lookup_slots()
        if not slots.acquire(timeout=max(deadline - self.clock(), 0)):
            raise late
        outcome: dict[str, object] = {}
        done = threading.Event()

        def lookup() -> None:
            try:
                outcome["answer"] = self.resolver(host, port)
            except BaseException as exc:  # handed to the fetching thread below
                outcome["error"] = exc
            finally:
                slots.release()
                done.set()

        threading.Thread(target=lookup, name="verifier-dns", daemon=True).start()
        if not done.wait(max(deadline - self.clock(), 0)):
            raise late  # a late answer is thrown away
        if "error" in outcome:
            raise outcome["error"]  # type: ignore[misc]
        return outcome["answer"]  # type: ignore[return-value]

    # -- one hop ---------------------------------------------------------------------------

    def _plan(self, url: str, deadline: float) -> _Hop:
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
        candidates = [host] if literal is not None else self._resolve(host.rstrip("."), port, url, deadline)
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

    def _request(self, hop: _Hop, deadline: float, watchdog: _Watchdog) -> tuple[requests.Session, requests.Response, str]:
        remaining = deadline - self.clock()
        if remaining <= 0 or watchdog.expired.is_set():
            raise self._too_slow(hop.url)
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
        # Per-operation timeouts, within the deadline; the watchdog holds the deadline itself
        # (a read timeout restarts with every byte, so it alone never ends a drip).
        timeout = (min(self.limits.connect_seconds, remaining), min(self.limits.read_seconds, remaining))
        try:
            response = session.get(hop.target, headers=headers, timeout=timeout, allow_redirects=False, stream=True)
        except requests.RequestException as exc:
            session.close()
            if watchdog.expired.is_set():  # whatever the shut-down connection raised
                raise self._too_slow(hop.url) from None
            if isinstance(exc, requests.Timeout):
                raise FetchTimeout(f"{hop.host} did not answer in time") from None
            if isinstance(exc, requests.exceptions.SSLError):
                raise FetchFailed(f"the TLS certificate of {hop.host} could not be verified ({_short(exc)})") from None
            raise FetchFailed(f"could not read {hop.url[:200]} ({_short(exc)})") from None
        except BaseException:
            session.close()
            raise
        if watchdog.expired.is_set():
            response.close()
            session.close()
            raise self._too_slow(hop.url)
        return session, response, hop.address

    def _read(self, url: str, final: str, response: requests.Response, address: str, deadline: float,
              redirects: tuple[str, ...], watchdog: _Watchdog) -> FetchedPage:
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
                if self.clock() > deadline or watchdog.expired.is_set():
                    raise self._too_slow(url)
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
            if watchdog.expired.is_set():
                raise self._too_slow(url) from None
            if "timed out" in str(exc).lower():
                raise FetchTimeout(f"{url[:200]} stopped sending data") from None
            raise FetchFailed(f"the answer from {url[:200]} was broken ({_short(exc)})") from None
        if watchdog.expired.is_set():
            # The stream "ended" because the watchdog shut it: a cut page, not a whole one.
            raise self._too_slow(url)
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
