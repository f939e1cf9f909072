"""Where a webhook may go: public addresses only, checked when the endpoint is saved and
again, pinned, at every delivery.

A URL whose host resolves to a loopback, private, link-local, shared, reserved or
multicast address would let whoever adds an endpoint make the server call its own
network (the database's admin port, a cloud metadata service). Checking the name
once is not enough: its DNS answer can change after the check (DNS rebinding). So
each delivery resolves the host, checks every address, and connects to the checked
address itself, with the URL's host still named in the Host header and in TLS.

An admin may allow a private target explicitly (an intranet chat server): the
endpoint's ``allow_private`` flag, set through :func:`do_allow_private_target`.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import urllib.request
from functools import partial
from typing import Any
from urllib.parse import urlsplit

from revloop.core.errors import InvalidInputError


class PrivateTargetError(InvalidInputError):
    """The URL's host is, or resolves to, an address that is not public."""


def resolve_public(url: str, *, allow_private: bool = False) -> str:
    """The address to connect to for ``url``: its host's first address, all checked."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise InvalidInputError(f"url: cannot resolve {host!r} ({exc})") from None
    addresses = [str(info[4][0]) for info in infos]
    if not allow_private:
        for address in addresses:
            ip = ipaddress.ip_address(address.split("%")[0])
            if not ip.is_global or ip.is_multicast:
                raise PrivateTargetError(
                    f"url: {host} resolves to {address}, which is not a public address; "
                    "an admin may allow a private target explicitly"
                )
    return addresses[0]


def _pinned_connection(address: str, *args: Any, **kwargs: Any) -> socket.socket:
    _, port = args[0]
    rest = args[1:]
    return socket.create_connection((address, port), *rest, **kwargs)


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, *args: Any, pinned: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._create_connection = partial(_pinned_connection, pinned)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, *args: Any, pinned: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._create_connection = partial(_pinned_connection, pinned)


class _PinnedHTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, pinned: str) -> None:
        super().__init__()
        self.pinned = pinned

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(partial(_PinnedHTTPConnection, pinned=self.pinned), req)


class _PinnedHTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, pinned: str) -> None:
        super().__init__()
        self.pinned = pinned

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(partial(_PinnedHTTPSConnection, pinned=self.pinned), req)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A webhook goes to the configured URL and nowhere else."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def pinned_opener(address: str) -> urllib.request.OpenerDirector:
    """An opener that connects only to ``address``, whatever the URL's host resolves to."""
    return urllib.request.build_opener(
        _NoRedirects, _PinnedHTTPHandler(address), _PinnedHTTPSHandler(address)
    )
