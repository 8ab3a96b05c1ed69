"""The portal's pages: who is signed in, sign-in, callback, logout."""

from __future__ import annotations

import time

import requests
from flask import Blueprint, current_app, flash, redirect, render_template, session, url_for

from examples.portal.auth import KeycloakSignIn, SessionEnded, SignedIn, SignInFailed
from examples.portal.tokens import Person

blueprint = Blueprint("portal", __name__)


def keycloak() -> KeycloakSignIn:
    """The app's OIDC client."""
    return current_app.extensions["portal.keycloak"]


def remember(signed_in: SignedIn) -> None:
    """Start a fresh portal session for the signed-in person."""
    session.clear()
    session.update(person=signed_in.person.to_session(), id_token=signed_in.id_token,
                   refresh_token=signed_in.refresh_token, refresh_at=signed_in.refresh_at)


def current_person() -> Person | None:
    """The signed-in person, re-checked with Keycloak once the access token is due; None when signed out."""
    if "person" not in session:
        return None
    if time.time() >= session["refresh_at"]:
        try:
            remember(keycloak().refresh(session["person"]["subject"], session["refresh_token"]))
        except SessionEnded as exc:
            current_app.logger.info("session ended: %s", exc)
            session.clear()
            flash("Your sign-in has ended. Please sign in again.")
            return None
    return Person.from_session(session["person"])


@blueprint.get("/")
def index():
    return render_template("index.html", person=current_person())


@blueprint.get("/login")
def login():
    return keycloak().start()


@blueprint.get("/callback")
def callback():
    try:
        signed_in = keycloak().finish()
    except SignInFailed as exc:
        current_app.logger.warning("sign-in failed: %s", exc)
        return render_template("message.html", title="Sign-in did not work",
                               text="We could not complete your sign-in. Please try again."), 400
    remember(signed_in)
    return redirect(url_for(".index"))


@blueprint.post("/logout")
def logout():
    id_token = session.get("id_token")
    session.clear()
    if not id_token:
        return redirect(url_for(".index"))
    return keycloak().logout_redirect(id_token)


@blueprint.get("/signed-out")
def signed_out():
    if keycloak().logout_returned():
        flash("You have signed out.")
    return redirect(url_for(".index"))


@blueprint.get("/healthz")
def healthz():
    return {"status": "ok"}


@blueprint.app_errorhandler(requests.RequestException)
def keycloak_unreachable(exc):
    current_app.logger.warning("Keycloak unreachable: %s", exc)
    return render_template("message.html", title="Sign-in is unavailable",
                           text="We cannot reach the sign-in service right now. Please try again in a few minutes."), 503
