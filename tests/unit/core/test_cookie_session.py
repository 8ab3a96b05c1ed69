"""The session cookie is read as Flask reads it, but a request without it costs no signer."""

from __future__ import annotations

from flask import session


def test_a_request_without_the_cookie_builds_no_signer_and_one_with_it_reads_it(app, monkeypatch):
    app.add_url_rule("/_remember", "remember", lambda: session.update(seen="yes") or "ok")
    app.add_url_rule("/_recall", "recall", lambda: session.get("seen", "nothing"))
    client = app.test_client()
    assert client.get("/_remember").status_code == 200  # sets the signed cookie
    assert client.get("/_recall").text == "yes"

    interface, built = app.session_interface, []
    build = interface.get_signing_serializer
    monkeypatch.setattr(interface, "get_signing_serializer", lambda flask_app: built.append(1) or build(flask_app))
    assert app.test_client().post("/api/v1/email-status", json={"email": "x"}).status_code == 200
    assert built == [], "no cookie, no signer"
    assert client.get("/_recall").text == "yes" and built, "with the cookie: read and checked as before"
