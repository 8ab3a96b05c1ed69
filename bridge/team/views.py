"""The team page under /team/: a customer's team admin signs in (OIDC, as the review UI does) and manages the
colleagues of their own customer number. Who they are and which customer they manage is asked of Keycloak on
every page, so a role taken or an access ended counts at once."""

from __future__ import annotations

import time
from uuid import UUID

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from bridge.access_requests.service import OutcomeKind
from bridge.confirmation import answers, page as confirmation_page
from bridge.core import db
from bridge.core.i18n import LANGUAGES
from bridge.core.models import Customer, utcnow
from bridge.keycloak.interface import KeycloakRefused, KeycloakUnavailable
from bridge.review import sessions
from bridge.review.sign_in import SignInFailed
from bridge.team import service
from bridge.team.forms import InviteForm, RemoveForm
from bridge.team.service import Invitation, NotOnTeam, OwnAccess, TeamAdmin

blueprint = Blueprint("team", __name__)
OPEN_ENDPOINTS = {"team.login", "team.callback", "team.signed_out"}
KEYCLOAK_TROUBLE = (KeycloakUnavailable, KeycloakRefused)


def _directory():
    return current_app.extensions["bridge.keycloak"]


@blueprint.before_request
def require_team_admin():
    """Signed in, not idle for too long, and still a team admin in Keycloak; otherwise sign in or 403."""
    if request.endpoint in OPEN_ENDPOINTS:
        return None
    to_sign_in = sessions.require("team_user_id", "team.login", "team.page")
    if to_sign_in:
        return to_sign_in
    # `within` runs the call on another thread, outside this request: hand it plain values only.
    directory, user_id = _directory(), session["team_user_id"]
    try:
        admin = directory.within(lambda: service.team_admin(directory, user_id))
    except KEYCLOAK_TROUBLE:
        abort(503)
    if admin is None:
        abort(403)
    g.team_admin = admin  # for this request only: the session cookie keeps the id, never the role
    return None


def admin() -> TeamAdmin:
    return g.team_admin


@blueprint.get("/login")
def login():
    """Send the browser to Keycloak's themed sign-in page."""
    return current_app.extensions["bridge.team_sign_in"].start()


@blueprint.get("/callback")
def callback():
    """Keycloak comes back here with a code; keep who signed in, then the page in their language."""
    try:
        who, id_token = current_app.extensions["bridge.team_sign_in"].finish()
    except SignInFailed as exc:
        current_app.logger.warning("team admin sign-in failed: %s", exc)
        abort(400)
    directory = _directory()
    try:
        user = directory.within(lambda: directory.find_user_by_email(who.email))
    except KEYCLOAK_TROUBLE:
        abort(503)
    target = session.pop("next", None) or url_for("team.page")
    session.clear()
    session.permanent = True
    session.update(team_user_id=(user or {}).get("id", ""), id_token=id_token, sid=sessions.new_id(),
                   signed_in_at=time.time(), seen_at=time.time())
    language = ((user or {}).get("attributes", {}).get("locale") or [""])[0]
    target = target.rstrip("?") if target.startswith("/team/") else url_for("team.page")
    if language in LANGUAGES and "lang=" not in target:
        target += ("&" if "?" in target else "?") + f"lang={language}"
    return redirect(target)


@blueprint.post("/logout")
def logout():
    """End the bridge session (for every copy of its cookie) and the Keycloak session."""
    return current_app.extensions["bridge.team_sign_in"].sign_out(session, db.session(), utcnow())


@blueprint.get("/signed-out")
def signed_out():
    return render_template("manage/signed_out.html", again_url=url_for("team.page", lang=get_locale()))


def _page(form: InviteForm | None = None, status: int = 200, notice: str = ""):
    try:
        # Not under `within`: it reads the database too, which must stay on this request's thread; every
        # Keycloak call has the gateway's own timeout.
        people = service.colleagues(db.session(), _directory(), admin())
    except KEYCLOAK_TROUBLE:
        people = None
    customer_number = admin().customer_number
    return render_template("team/page.html", admin=admin(), people=people, notice=notice,
                           customer=db.session().get(Customer, customer_number),
                           pending=service.pending(db.session(), admin()), invite_form=form or _empty_invite(),
                           to_confirm=answers.waiting(db.session(), customer_number)), status


def _empty_invite() -> InviteForm:
    form = InviteForm(formdata=None)
    form.language.data = str(get_locale())
    return form


@blueprint.get("/")
def page():
    """Colleagues with access, requests waiting for the regional manager, and the invitation form."""
    return _page()


@blueprint.post("/invite")
def invite():
    """Ask access for a colleague; the regional manager decides and sees that the team admin vouched."""
    form = InviteForm()
    if not form.validate():
        return _page(form, 400, "invalid")
    directory = _directory()
    outcome = service.invite(
        db.session(), directory, current_app.extensions["bridge.broadcast"], admin(),
        Invitation(form.first_name.data, form.last_name.data, form.email.data, form.language.data),
        utcnow(), current_app.config, request.remote_addr or "")
    if outcome.kind != OutcomeKind.CREATED:
        return _page(form, 409 if outcome.kind == OutcomeKind.PENDING else 400, str(outcome.kind))
    flash(_("The request for %(email)s is on its way to your regional manager.", email=outcome.request.email)
          if outcome.request.status == "pending" else
          _("%(email)s has access; the e-mail to set a password goes out tomorrow at 04:00.",
            email=outcome.request.email), "ok")
    return redirect(url_for("team.page", lang=get_locale()))


def _colleague(user_id: UUID) -> dict:
    directory, team_admin = _directory(), admin()
    try:
        return directory.within(lambda: service.colleague(directory, team_admin, str(user_id)))
    except NotOnTeam:
        abort(404)
    except KEYCLOAK_TROUBLE:
        abort(503)


@blueprint.get("/people/<uuid:user_id>/remove")
def confirm_removal(user_id: UUID):
    """Ask once, with a reason, before a colleague's access ends."""
    return render_template("team/remove.html", person=_colleague(user_id), form=RemoveForm(), admin=admin())


@blueprint.post("/people/<uuid:user_id>/remove")
def remove(user_id: UUID):
    """End a colleague's access at once; the regional manager is told."""
    form = RemoveForm()
    if not form.validate():
        return render_template("team/remove.html", person=_colleague(user_id), form=form, admin=admin()), 400
    config = current_app.config
    try:
        person = service.remove(db.session(), _directory(), current_app.extensions["bridge.broadcast"], admin(),
                                str(user_id), form.reason.data, utcnow(), config["PUBLIC_URL"],
                                config["FALLBACK_MANAGER_EMAIL"], request.remote_addr or "")
    except NotOnTeam:
        abort(404)
    except OwnAccess:
        flash(_("You cannot remove your own access here. Please ask your regional manager."), "error")
        return redirect(url_for("team.page", lang=get_locale()))
    except KEYCLOAK_TROUBLE:
        current_app.logger.warning("removing a colleague failed in Keycloak")
        flash(_("The change could not be completed; access may not have ended. Please try again in a moment."),
              "error")
        return redirect(url_for("team.page", lang=get_locale()))
    flash(_("The access of %(email)s has ended; your regional manager has been told.", email=person.get("email", "")),
          "ok")
    return redirect(url_for("team.page", lang=get_locale()))


@blueprint.route("/confirm", methods=["GET", "POST"])
def confirm():
    """The yearly confirmation of the team admin's customer: confirm or remove each colleague on one page."""
    team_admin, config = admin(), current_app.config

    def remove(user_id: str) -> None:  # as on the team page: the regional manager is told
        service.remove(db.session(), _directory(), current_app.extensions["bridge.broadcast"], team_admin, user_id,
                       answers.REMOVAL_REASON, utcnow(), config["PUBLIC_URL"], config["FALLBACK_MANAGER_EMAIL"],
                       request.remote_addr or "")

    return confirmation_page.respond(
        "team/confirm.html", answers.current(db.session(), team_admin.customer_number), actor=team_admin.email,
        me_id=team_admin.user_id, remove=remove, back_url=url_for("team.confirm", lang=get_locale()), admin=team_admin)
