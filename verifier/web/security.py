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
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    # Browser clients may read the rate-limit state (verifier/web/limits.py) as well as the ETag.
    "Access-Control-Expose-Headers": "ETag, Retry-After, Content-Length, RateLimit, RateLimit-Policy",
}
# Every header an API response needs, for responses built with them up front; the
# after_request hook then has nothing left to do (it recognises them by the first one).
API_HEADERS = [*HEADERS.items(), *CORS_HEADERS.items()]
PREPARED_MARK = next(iter(HEADERS))


def init_app(app: Flask) -> None:
    @app.after_request
    def add_headers(response: Response) -> Response:
        if PREPARED_MARK in response.headers:
            return response  # built with API_HEADERS already (the API's hot path)
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if request.path.startswith(API_PREFIX) or request.path in ("/healthz", "/readyz"):
            for name, value in CORS_HEADERS.items():
                response.headers[name] = value
            if request.method == "OPTIONS":
                response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
                response.headers["Access-Control-Allow-Headers"] = "Content-Type, Authorization, If-None-Match"
                response.headers["Access-Control-Max-Age"] = "86400"
        return response
