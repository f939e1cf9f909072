"""The website tracker script, served by revloop itself at a fixed address (/t.js).

The snippet pasted into a site names this address, so it cannot carry the hashed name
the static files get. It is public and the same for everyone: any site may load it.
"""

from __future__ import annotations

import gzip
from functools import cache
from pathlib import Path

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

SCRIPT = Path(__file__).with_name("static") / "capture" / "revloop.js"


@cache
def _script(gzipped: bool) -> bytes:
    text = SCRIPT.read_bytes()
    return gzip.compress(text, compresslevel=9, mtime=0) if gzipped else text


@require_GET
def tracker_script(request: HttpRequest) -> HttpResponse:
    gzipped = "gzip" in request.headers.get("Accept-Encoding", "")
    response = HttpResponse(_script(gzipped), content_type="text/javascript; charset=utf-8")
    if gzipped:
        response["Content-Encoding"] = "gzip"
    patch_vary_headers(response, ["Accept-Encoding"])
    # An hour: a new version reaches the sites soon, and a page view costs no request.
    response["Cache-Control"] = "public, max-age=3600"
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    response["Access-Control-Allow-Origin"] = "*"
    return response
