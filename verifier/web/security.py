"""Security headers and CORS, set by the app on every response (SECURITY.md #9).

Five headers by hand rather than a dormant dependency: a CSP without ``'unsafe-inline'`` (the
pages have no inline script or style), ``frame-ancestors 'none'``, ``nosniff``, a referrer
policy and a permissions policy. The JSON API allows any origin (browser-based support tools
call it); it uses no cookies or credentials, so ``*`` exposes nothing.
"""

from __future__ import annotations

from flask import Flask, Response, request

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}
API_PREFIX = "/api/"


def init_app(app: Flask) -> None:
    @app.after_request
    def add_headers(response: Response) -> Response:
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if request.path.startswith(API_PREFIX) or request.path in ("/healthz", "/readyz"):
            response.headers["Access-Control-Allow-Origin"] = "*"
            response.headers["Access-Control-Expose-Headers"] = "ETag, Retry-After, Content-Length"
            if request.method == "OPTIONS":
                response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
                response.headers["Access-Control-Allow-Headers"] = "Content-Type, Authorization, If-None-Match"
                response.headers["Access-Control-Max-Age"] = "86400"
        return response
