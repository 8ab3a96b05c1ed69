"""Every error is a short localized page (or JSON under /api/): never a stack trace."""

from __future__ import annotations

import logging

from flask import Flask, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException, InternalServerError

log = logging.getLogger(__name__)


def _messages() -> dict[int, str]:
    return {
        400: _("The request could not be understood. Please reload the page and try again."),
        403: _("You do not have access to this page."),
        404: _("This page does not exist."),
        405: _("This action is not possible here."),
        413: _("What was sent is too large."),
        429: _("Too many attempts from your connection. Please try again in a few minutes."),
        500: _("Something went wrong on our side. Please try again in a few minutes."),
        503: _("The service is briefly unavailable. Please try again in a few minutes."),
    }


def render_error(error: HTTPException):
    """Render an HTTP error as JSON for the API and as a page for people."""
    code = error.code or 500
    message = _messages().get(code, _messages()[500])
    if request.path.startswith("/api/"):
        return {"error": error.name.lower().replace(" ", "_"), "message": message}, code
    return render_template("error.html", code=code, message=message), code


def _unexpected(error: Exception):
    log.exception("unhandled error on %s %s", request.method, request.path)
    return render_error(InternalServerError())


def init_app(app: Flask) -> None:
    """Register the handlers."""
    app.register_error_handler(HTTPException, render_error)
    app.register_error_handler(Exception, _unexpected)
