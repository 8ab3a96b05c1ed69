"""Flask's signed-cookie session, opened only for requests that carry the cookie.

Flask builds the cookie's signer on every request before it looks for the cookie. Most requests carry
none — every e-mail check from the login page, where it cost about a tenth of a cached check
(docs/benchmarks.md §5) — so this looks first. With the cookie, nothing changes.
"""

from __future__ import annotations

from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface


class CookieFirstSessionInterface(SecureCookieSessionInterface):
    """SecureCookieSessionInterface, except that a request without the cookie gets an empty session at once."""

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if self.get_cookie_name(app) not in request.cookies:
            return self.session_class()  # what Flask gives such a request, without building the signer
        return super().open_session(app, request)
