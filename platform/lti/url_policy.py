"""Which URLs the tool sends a browser to, and which it requests itself.

Registrations (any instructor can make one) and the launches their platform signs choose these
URLs, so they are attacker input: a ``javascript:`` deep-linking return URL would run on our
origin, and a key set or line item URL pointing inside the network would turn the web process or
the worker into a proxy to internal services. The rules live here; forms and launches call them
to refuse early with a clear message, and ``lti.http`` applies them to every request it sends."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import SplitResult, urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

SHOWN_URL_CHARS = 200  # in messages: enough to recognise the URL, not a wall of text


class UnsafeUrl(ValidationError):
    """A URL the tool refuses. A ValidationError, so that form validators can raise it as is."""


def _shown(url: str) -> str:
    return url if len(url) <= SHOWN_URL_CHARS else url[:SHOWN_URL_CHARS] + "…"


def _split(url: str) -> SplitResult:
    """The parts of an absolute http(s) URL, or UnsafeUrl. Browsers strip or skip whitespace and
    control characters inside URLs (``java\\tscript:``); refusing them keeps what we check and
    what the browser follows the same URL."""
    invalid = UnsafeUrl(_("This is not a valid URL: %(url)s") % {"url": _shown(url)})
    if not url or any(ch.isspace() or ord(ch) < 0x20 or ord(ch) == 0x7F for ch in url):
        raise invalid
    try:
        parts = urlsplit(url)
        host, _port = parts.hostname, parts.port  # both raise ValueError on malformed netlocs
    except ValueError:
        raise invalid from None
    schemes = ("https", "http") if settings.LTI_ALLOW_HTTP_URLS else ("https",)
    if parts.scheme.lower() not in schemes:
        message = (
            _("Only https:// or http:// URLs are accepted here: %(url)s")
            if settings.LTI_ALLOW_HTTP_URLS
            else _("Only https:// URLs are accepted here: %(url)s")
        )
        raise UnsafeUrl(message % {"url": _shown(url)})
    if not host:
        raise invalid
    return parts


def browser_url_check(url: str) -> str:
    """A URL we hand to the browser (the deep-linking return form's action): http(s) only."""
    _split(url)
    return url


def private_addresses_allowed(host: str) -> bool:
    """Whether the operator allowed this host (or every host) to be on an internal network."""
    host = host.strip("[]").lower()
    return settings.LTI_ALLOW_PRIVATE_URLS or host in settings.LTI_PRIVATE_HOSTS


def address_is_public(address: str) -> bool:
    """Whether an IP address is on the public internet. ``is_global`` leaves out loopback,
    private, link-local (cloud metadata at 169.254.169.254), shared (100.64/10), reserved and
    unspecified addresses but counts multicast as global; IPv4 embedded in IPv6 is judged as IPv4."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # an IPv6 zone (fe80::1%eth0) is no help
    if isinstance(ip, ipaddress.IPv6Address):
        ip = ip.ipv4_mapped or ip.sixtofour or ip
    return ip.is_global and not (ip.is_multicast or ip.is_reserved)


def connected_address_check(*, host: str, address: str) -> None:
    """The address a connection actually reached (the name may have resolved differently when
    the URL was checked: DNS rebinding)."""
    if not (private_addresses_allowed(host) or address_is_public(address)):
        raise UnsafeUrl(_internal_message(host, address))


def _internal_message(host: str, address: str) -> str:
    return _(
        "%(host)s is an internal address (%(address)s: loopback, private, link-local or "
        "reserved), which this tool does not call. An LMS on an internal network must be "
        "allowed by the site's operator (setting LTI_PRIVATE_HOSTS)."
    ) % {"host": host, "address": address}


def platform_url_check(url: str) -> str:
    """A URL the tool itself requests (key set, token, line item): http(s), and a host that does
    not resolve to an internal address. A name that does not resolve now passes: it cannot be
    reached now either, and ``lti.http`` checks the address again on every connection."""
    parts = _split(url)
    host = parts.hostname or ""
    if private_addresses_allowed(host):
        return url
    for address in _addresses(host):
        if not address_is_public(address):
            raise UnsafeUrl(_internal_message(host, address))
    return url


def _addresses(host: str) -> list[str]:
    """What the name resolves to now (an IP literal, in any spelling, to itself)."""
    try:
        infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return []
    return [str(info[4][0]) for info in infos]
