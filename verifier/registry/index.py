"""Exact lookup over a verified registry: dictionaries built once when the registry loads.

Every registry value is normalised with the *same* functions that normalise user input
(``hostnames.normalize_host``, ``platforms.handle_key``), so a match means the two sides were
canonicalised identically. A check is then a few dictionary lookups.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from verifier import hostnames, platforms
from verifier.errors import RegistryFormatError
from verifier.model import Item
from verifier.registry.schema import Channel, Impersonation, Registry

MatchKind = Literal["exact", "subdomain"]


@dataclass(frozen=True, slots=True)
class ChannelMatch:
    """An input that is (or sits under) a registry channel."""

    channel: Channel
    how: MatchKind
    host: str = ""  # for "subdomain": the registry domain that vouches for the host


@dataclass(frozen=True, slots=True)
class ImpersonationMatch:
    entry: Impersonation


class RegistryIndex:
    """Lookup tables for one registry. Build once per registry; safe to share across threads."""

    def __init__(self, registry: Registry, *, path: str = "registry") -> None:
        self.registry = registry
        self.hosts: dict[str, Channel] = {}
        self.zone_roots: dict[str, Channel] = {}
        self.emails: dict[str, Channel] = {}
        self.handles: dict[tuple[str, str], Channel] = {}
        # handle key -> channels on any platform: for handles given without a platform and
        # for the official name used on the wrong platform.
        self.handles_by_key: dict[str, list[Channel]] = {}
        self.fakes: dict[tuple[str, str | None, str], Impersonation] = {}
        for channel in registry.channels:
            self._add_channel(channel, path)
        for fake in registry.impersonations:
            self.fakes[self._key(fake.kind, fake.platform, fake.value, path)] = fake
        self.active_domains = tuple(c for c in registry.channels if c.kind == "domain" and c.active)
        #: lower-cased value → the first active domain entry with it (heuristics look names up here)
        self.active_domain_values: dict[str, Channel] = {}
        for channel in self.active_domains:
            self.active_domain_values.setdefault(channel.value.lower(), channel)
        self.contacts = tuple(
            c for c in registry.channels if c.active and c.id in ("web-tokenpocket-pro", "help-tokenpocket-pro", "email-service")
        ) or tuple(c for c in registry.channels if c.active)[:3]

    # -- building ------------------------------------------------------------------------

    def _add_channel(self, channel: Channel, path: str) -> None:
        kind, key_platform, key = self._key(channel.kind, channel.platform, channel.value, path)
        if kind == "domain":
            self.hosts[key] = channel
            if channel.include_subdomains:
                self.zone_roots[key] = channel
        elif kind == "email":
            self.emails[key] = channel
        else:
            assert key_platform is not None
            self.handles[(key_platform, key)] = channel
            self.handles_by_key.setdefault(key, []).append(channel)

    @staticmethod
    def _key(kind: str, platform: str | None, value: str, path: str) -> tuple[str, str | None, str]:
        """The canonical lookup key of a registry value (same normalisation as user input)."""
        try:
            if kind == "domain":
                host, _ = hostnames.normalize_host(value)
                return kind, None, host.ascii
            if kind == "email":
                local, _, domain = value.rpartition("@")
                if not local:
                    raise ValueError("an email value needs a local part")
                host, _ = hostnames.normalize_host(domain)
                return kind, None, f"{local.lower()}@{host.ascii}"
            if kind == "handle":
                spec = platforms.get_platform(platform or "")
                if spec is None:
                    raise ValueError(f"unknown platform {platform!r}")
                return kind, spec.key, platforms.handle_key(spec.key, value)
            return kind, platform, value.strip().lower()
        except ValueError as exc:
            raise RegistryFormatError(f"{path}: {kind} value {value!r} cannot be normalised: {exc}", path=path) from None

    # -- lookup --------------------------------------------------------------------------

    def find_channel(self, item: Item) -> ChannelMatch | None:
        """The registry channel this item is, or sits under (a subdomain of a zone root)."""
        if item.kind in ("url", "domain") and item.host is not None and not item.host.is_ip:
            host = item.host.ascii
            exact = self.hosts.get(host)
            if exact is not None:
                return ChannelMatch(exact, "exact", host)
            parent = host
            while "." in parent:
                parent = parent.split(".", 1)[1]
                root = self.zone_roots.get(parent)
                if root is not None:
                    return ChannelMatch(root, "subdomain", parent)
            return None
        if item.kind == "email":
            found = self.emails.get(item.key)
            return ChannelMatch(found, "exact") if found else None
        if item.kind == "handle" and item.platform is not None:
            found = self.handles.get((item.platform, item.key))
            return ChannelMatch(found, "exact") if found else None
        return None

    def find_impersonation(self, item: Item) -> Impersonation | None:
        if item.kind in ("url", "domain") and item.host is not None:
            return self.fakes.get(("domain", None, item.host.ascii))
        if item.kind == "handle":
            return self.fakes.get(("handle", item.platform, item.key)) if item.platform else None
        kind = "email" if item.kind == "email" else item.kind
        return self.fakes.get((kind, None, item.key.lower()))

    def handles_named(self, key: str) -> list[Channel]:
        """Official handles with this key on any platform."""
        return self.handles_by_key.get(key, [])

    def email_domain_is_official(self, item: Item) -> Channel | None:
        """The official domain channel an email's domain belongs to, if any."""
        if item.host is None:
            return None
        fake_item = Item(raw=item.host.ascii, kind="domain", normalized=item.host.ascii, key=item.host.ascii, host=item.host)
        match = self.find_channel(fake_item)
        return match.channel if match and match.channel.active else None
