"""Security headers on every bridge response (pages and API)."""

from __future__ import annotations

from flask import Flask, Response


def init_app(app: Flask) -> None:
    """Add CSP, framing, sniffing and referrer headers; pages load nothing from elsewhere."""
    policy = "; ".join([
        "default-src 'self'", "img-src 'self' data:", "style-src 'self'", "script-src 'self'",
        "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'",
        # Logout posts to the bridge, which redirects the browser on to Keycloak's end-session page.
        f"form-action 'self' {app.config['KEYCLOAK_PUBLIC_URL']}",
    ])

    @app.after_request
    def secure(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response
