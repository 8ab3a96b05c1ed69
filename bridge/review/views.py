"""The manager review UI under /manage/: queue, detail, decisions, revocation, failing deliveries."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import timedelta
from uuid import UUID

from babel.dates import format_date, format_skeleton, format_time
from babel.numbers import format_decimal
from flask import (Blueprint, Response, abort, current_app, flash, g, redirect, render_template, request, session,
                   stream_with_context, url_for)
from flask_babel import get_locale, get_timezone
from markupsafe import Markup, escape
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from bridge.confirmation import answers, page as confirmation_page
from bridge.core import audit, db
from bridge.core.addresses import normalize
from bridge.core.models import RequestStatus, absent_managers, utcnow
from bridge.delivery import outbox
from bridge.delivery.provisioning import EXPLANATIONS
from bridge.delivery.schedule import days_between, local_day
from bridge.directory.companies import same_company
from bridge.keycloak.access import team_admins_among
from bridge.keycloak.interface import KeycloakRefused, KeycloakUnavailable
from bridge.review import service as review
from bridge.review import sessions
from bridge.review import absences, dashboard, export
from bridge.review.forms import (AbsenceForm, ActionForm, ApproveForm, CorrectionForm, ExportForm, ReassignForm,
                                 RejectForm, RevokeForm)
from bridge.review.service import NotVisible, Reviewer
from bridge.review.sign_in import SignInFailed

blueprint = Blueprint("manage", __name__)
OPEN_ENDPOINTS = {"manage.login", "manage.callback", "manage.signed_out"}
STATUS_LABELS = {RequestStatus.PENDING: _l("Pending"), RequestStatus.APPROVED: _l("Approved"),
                 RequestStatus.REJECTED: _l("Rejected"), RequestStatus.FAILED: _l("Account not created"),
                 RequestStatus.REVOKED: _l("Access ended"), RequestStatus.EXPIRED: _l("Expired"),
                 RequestStatus.HELD: _l("On hold")}

ROLE_LABELS = {"deputy": _l("as deputy"), "absence-deputy": _l("as deputy during an absence"),
               "admin": _l("as administrator")}  # a manager deciding their own request needs no word


def sign_in():
    return current_app.extensions["bridge.manager_sign_in"]


def _today():
    """Today in company time (absences and periods are given in its days)."""
    return local_day(utcnow(), current_app.config["TIME_ZONE"])


def reviewer() -> Reviewer:
    """Who is signed in, and for whom they stand in today (looked up once per request)."""
    if "reviewer" not in g:
        data = session["reviewer"]
        g.reviewer = Reviewer(data["email"], data["name"], frozenset(data["roles"]),
                              absent_managers(db.session(), data["email"], _today()))
    return g.reviewer


@blueprint.before_request
def require_reviewer():
    """Signed in, not idle for too long, and holding a reviewing role; otherwise sign in or 403."""
    if request.endpoint in OPEN_ENDPOINTS:
        return None
    to_sign_in = sessions.require("reviewer", "manage.login", "manage.queue")
    if to_sign_in:
        return to_sign_in
    if not reviewer().may_review:
        abort(403)
    return None


@blueprint.app_template_global()
def status_label(status: str) -> str:
    return str(STATUS_LABELS[RequestStatus(status)])


@blueprint.app_template_global()
def decided_as(event) -> str:
    """" (as deputy)" after a decision taken in another role than the assigned manager's."""
    label = ROLE_LABELS.get(event.detail.get("role", ""))
    return f" ({label})" if label else ""


@blueprint.app_template_global()
def day_label(day, skeleton: str = "yMMMd") -> str:
    """A calendar day as the page's language writes it: "24 déc. 2026" (or "24 déc." with "MMMd")."""
    return format_skeleton(skeleton, day, locale=get_locale())


@blueprint.app_template_global()
def when(moment, length: str = "medium") -> str:
    """A timestamp in the company time zone, written as the page's language writes it: "medium" gives
    "2. Dez. 2026, 04:00" / "2 déc. 2026, 04:00", "full" gives "Mittwoch, 2. Dezember 2026, 04:00"."""
    if not moment:
        return ""
    locale, zone = get_locale(), get_timezone()
    day = format_skeleton("yMMMd", moment, tzinfo=zone, locale=locale) if length == "medium" else \
        format_date(moment.astimezone(zone), "full", locale=locale)
    return locale.datetime_formats[length].format(format_time(moment, "short", tzinfo=zone, locale=locale), day)


@blueprint.get("/login")
def login():
    """Send the browser to Keycloak's themed sign-in page."""
    return sign_in().start()


@blueprint.get("/callback")
def callback():
    """Keycloak comes back here with a code; keep who signed in (and nothing from a failed attempt)."""
    try:
        who, id_token = sign_in().finish()
    except SignInFailed as exc:
        current_app.logger.warning("manager sign-in failed: %s", exc)
        abort(400)
    target = session.pop("next", None) or url_for("manage.queue")
    session.clear()
    session.permanent = True
    session.update(reviewer={"email": who.email, "name": who.name, "roles": sorted(who.roles)},
                   id_token=id_token, sid=sessions.new_id(), signed_in_at=time.time(), seen_at=time.time())
    return redirect(target if target.startswith("/manage/") else url_for("manage.queue"))


@blueprint.post("/logout")
def logout():
    """End the bridge session (for every copy of its cookie) and the Keycloak session."""
    return sign_in().sign_out(session, db.session(), utcnow())


@blueprint.get("/signed-out")
def signed_out():
    return render_template("manage/signed_out.html")


@blueprint.get("/")
def queue():
    """Pending first, oldest first, with age; filters and search."""
    args = {name: request.args.get(name, "")[:100] for name in ("status", "region", "manager", "q")}
    args["status"] = args["status"] or RequestStatus.PENDING  # what waits for a decision, unless "all" is chosen
    who = reviewer()
    page = review.queue(db.session(), who, args["status"], args["region"], args["manager"], args["q"],
                        request.args.get("page", 1, type=int))
    filters = {name: value for name, value in args.items() if value}  # kept by the page links
    return render_template("manage/queue.html", page=page, args=args, filters=filters, who=who, now=utcnow(),
                           statuses=list(RequestStatus),
                           regions=review.regions(db.session()) if who.is_admin else [])


def _detail(request_id: int, status: int = 200, confirm_approval: bool = False, **forms):
    who = reviewer()
    try:
        access_request, customer = review.visible(db.session(), who, request_id)
    except NotVisible:
        abort(404)
    gateway = current_app.extensions["bridge.keycloak"]
    try:
        people = gateway.within(lambda: gateway.customer_members(customer.customer_number))
        team_admins = gateway.within(lambda: team_admins_among(gateway, people))
    except (KeycloakUnavailable, KeycloakRefused):
        people, team_admins = None, set()
    return render_template(
        "manage/detail.html", request=access_request, customer=customer, who=who, people=people, team_admins=team_admins,
        role=review.role_in(who, access_request),
        history=audit.history(db.session(), request_id), now=utcnow(), confirm_approval=confirm_approval,
        company_differs=not same_company(access_request.company, customer.company),
        provisioning_problems=review.provisioning_problems(access_request),
        failure=EXPLANATIONS.get(access_request.provisioning_error),
        ended=review.ended_access(db.session(), customer.customer_number),
        approve_form=forms.get("approve_form") or ApproveForm(), reject_form=forms.get("reject_form") or RejectForm(),
        reassign_form=forms.get("reassign_form") or ReassignForm(), revoke_form=RevokeForm(), action_form=ActionForm(),
        correction_form=forms.get("correction_form") or CorrectionForm(obj=access_request),
    ), status


@blueprint.get("/requests/<int:request_id>")
def detail(request_id: int):
    """The request beside the directory's data, people already active for the customer, and the history."""
    return _detail(request_id)


@blueprint.post("/requests/<int:request_id>/approve")
def approve(request_id: int):
    form = ApproveForm()
    if not form.validate():
        return _detail(request_id, 400, approve_form=form)
    if form.confirmed.data != "yes":
        return _detail(request_id, approve_form=form, confirm_approval=True)
    try:
        due = review.approve(db.session(), reviewer(), request_id, form.note.data or "", utcnow(),
                             current_app.config["TIME_ZONE"], request.remote_addr or "")
    except NotVisible:
        abort(404)
    if due is None:
        flash(_("This request had already been decided."), "warn")
    else:
        flash(_("Approved."), "ok")  # the page says when the activation e-mail goes out
    return redirect(url_for("manage.detail", request_id=request_id, lang=get_locale()))


@blueprint.post("/requests/<int:request_id>/reject")
def reject(request_id: int):
    form = RejectForm()
    if not form.validate():
        return _detail(request_id, 400, reject_form=form)
    try:
        decided = review.reject(db.session(), reviewer(), request_id, form.reason.data, form.notify.data,
                                utcnow(), request.remote_addr or "")
    except NotVisible:
        abort(404)
    flash(_("Rejected.") if decided else _("This request had already been decided."), "ok" if decided else "warn")
    return redirect(url_for("manage.detail", request_id=request_id, lang=get_locale()))


@blueprint.post("/requests/<int:request_id>/reassign")
def reassign(request_id: int):
    form = ReassignForm()
    if not reviewer().is_admin:
        abort(404)
    if not form.validate():
        return _detail(request_id, 400, reassign_form=form)
    try:
        review.reassign(db.session(), reviewer(), request_id, form.manager_email.data, utcnow(),
                        request.remote_addr or "")
    except NotVisible:
        abort(404)
    flash(_("Reassigned to %(manager)s.", manager=form.manager_email.data.lower()), "ok")
    return redirect(url_for("manage.detail", request_id=request_id, lang=get_locale()))


@blueprint.post("/requests/<int:request_id>/retry")
def retry(request_id: int):
    """An account that could not be created: the manager's corrections, and another try."""
    form = CorrectionForm()
    if not form.validate():
        return _detail(request_id, 400, correction_form=form)
    corrected = {"first_name": form.first_name.data, "last_name": form.last_name.data,
                 "email": normalize(form.email.data)}
    try:
        retried = review.retry_provisioning(db.session(), reviewer(), request_id, corrected, utcnow(),
                                            current_app.config["TIME_ZONE"], request.remote_addr or "")
    except NotVisible:
        abort(404)
    flash(_("Trying again: the account is being created.") if retried else _("This request had already been retried."),
          "ok" if retried else "warn")
    return redirect(url_for("manage.detail", request_id=request_id, lang=get_locale()))


def _back() -> str:
    """Where a person's action returns to: the posted page of the review UI, else the queue."""
    back = request.form.get("back", "")
    return back if back.startswith("/manage/") else url_for("manage.queue")


@blueprint.post("/people/<uuid:user_id>/revoke")
def revoke(user_id: UUID):
    """End a person's access (role, membership, sessions), with a reason; back to where it was asked.

    Only Keycloak ids (UUIDs) reach this view: anything else in the URL is "not found".
    """
    form = RevokeForm()
    back = _back()
    if not form.validate():
        flash(_("Please give a reason."), "error")
        return redirect(back)
    try:
        person = review.revoke(db.session(), current_app.extensions["bridge.keycloak"],
                               current_app.extensions["bridge.broadcast"], reviewer(), str(user_id),
                               form.reason.data, utcnow(), request.remote_addr or "")
    except NotVisible:
        abort(404)
    except KeycloakUnavailable:
        flash(_("Keycloak could not be reached; nothing was changed. Please try again in a moment."), "error")
        return redirect(back)
    except KeycloakRefused:
        current_app.logger.warning("revocation refused by Keycloak")
        flash(_("Keycloak refused the change; access may not have ended. Please try again, or ask an administrator."),
              "error")
        return redirect(back)
    flash(_("Access of %(email)s has ended; their sessions were closed.", email=person.get("email", "")), "ok")
    return redirect(back)


def _change_person(what: str, change: Callable[[], dict]) -> dict | None:
    """Run a change to a person the reviewer may see (else 404); None, said on the page, when Keycloak could not
    complete it."""
    try:
        return change()
    except NotVisible:
        abort(404)
    except (KeycloakUnavailable, KeycloakRefused):
        current_app.logger.warning("%s failed in Keycloak", what)
        flash(_("Keycloak could not complete the change. Please try again in a moment."), "error")
        return None


@blueprint.post("/people/<uuid:user_id>/regrant")
def regrant(user_id: UUID):
    """Undo a revocation (role and membership again), audited; back to where it was asked."""
    back = _back()
    if not ActionForm().validate():
        return redirect(back)
    person = _change_person("re-granting access", lambda: review.regrant(
        db.session(), current_app.extensions["bridge.keycloak"], current_app.extensions["bridge.broadcast"],
        reviewer(), str(user_id), utcnow(), current_app.config["TIME_ZONE"], request.remote_addr or ""))
    if person is None:
        return redirect(back)
    flash(_("%(email)s has access again.", email=person.get("email", "")), "ok")
    return redirect(back)


@blueprint.post("/people/<uuid:user_id>/team-admin")
def team_admin(user_id: UUID):
    """Make a person with access a team admin of their customer (`team_admin=yes`), or no longer one."""
    back = _back()
    if not ActionForm().validate():
        return redirect(back)
    make = request.form.get("team_admin") == "yes"
    person = _change_person("changing a team admin", lambda: review.set_team_admin(
        db.session(), current_app.extensions["bridge.keycloak"], reviewer(), str(user_id), make, utcnow(),
        request.remote_addr or ""))
    if person is None:
        return redirect(back)
    flash(_("%(email)s is now a team admin of this customer.", email=person.get("email", "")) if make else
          _("%(email)s is no longer a team admin.", email=person.get("email", "")), "ok")
    return redirect(back)


@blueprint.route("/absences", methods=["GET", "POST"])
def absences_page():
    """A manager names a deputy for an absence, and sees (and may end) the absences to come."""
    who = reviewer()
    form = AbsenceForm(who.email, _today())
    status = 200
    if request.method == "POST":
        if form.validate():
            absences.name_deputy(db.session(), who, form.deputy_email.data.lower(), form.first_day.data,
                                 form.last_day.data, str(get_locale()), f"{current_app.config['PUBLIC_URL']}/manage/",
                                 utcnow(), request.remote_addr or "")
            flash(_("%(deputy)s stands in for you from %(first)s to %(last)s and has been told by e-mail.",
                    deputy=form.deputy_email.data.lower(), first=day_label(form.first_day.data),
                    last=day_label(form.last_day.data)), "ok")
            return redirect(url_for("manage.absences_page", lang=get_locale()))
        status = 400
    return render_template("manage/absences.html", form=form, who=who, action_form=ActionForm(),
                           absences=absences.upcoming(db.session(), who, _today())), status


@blueprint.post("/absences/<int:absence_id>/cancel")
def cancel_absence(absence_id: int):
    if not ActionForm().validate():
        return redirect(url_for("manage.absences_page", lang=get_locale()))
    if not absences.cancel(db.session(), reviewer(), absence_id, utcnow(), request.remote_addr or ""):
        abort(404)
    flash(_("The absence was removed."), "ok")
    return redirect(url_for("manage.absences_page", lang=get_locale()))


@blueprint.get("/dashboard")
def dashboard_page():
    """How long partners wait: open requests by age, decisions and time to decision per week and region."""
    who = reviewer()
    region = request.args.get("region", "")[:64] if who.is_admin else ""
    figures = dashboard.figures(db.session(), who, utcnow(), current_app.config["TIME_ZONE"], region)
    bars, top = dashboard.chart(figures.weekly)
    confirmation_round, confirmation = dashboard.confirmation_progress(db.session(), who, region)
    return render_template("manage/dashboard.html", who=who, figures=figures, bars=bars, top=top, region=region,
                           confirmation_round=confirmation_round, confirmation=confirmation,
                           window=dashboard.WINDOW_DAYS,
                           regions=review.regions(db.session()) if who.is_admin else
                           dashboard.manager_regions(db.session(), who))


@blueprint.get("/confirmations")
def confirmations():
    """The latest yearly confirmation's lists of the manager's customers (an admin: all), unanswered first."""
    who, page = reviewer(), request.args.get("page", 1, type=int) or 1
    confirmation_round, lists, total = answers.overview(db.session(), None if who.is_admin else who.email, page)
    started, due = answers.period(confirmation_round, current_app.config) if confirmation_round else (None, None)
    return render_template(
        "manage/confirmations.html", who=who, confirmation_round=confirmation_round, lists=lists, page=page,
        pages=review.page_count(total), started=started, due=due)


@blueprint.route("/confirmations/<customer_number>", methods=["GET", "POST"])
def confirmation(customer_number: str):
    """One customer's list: its regional manager (or an admin) confirms or removes each person; 404 for anyone
    else, as for requests."""
    who, session_ = reviewer(), db.session()
    if not review.responsible_for(session_, who, customer_number):
        abort(404)

    def remove(user_id: str) -> None:
        review.revoke(session_, current_app.extensions["bridge.keycloak"], current_app.extensions["bridge.broadcast"],
                      who, user_id, answers.REMOVAL_REASON, utcnow(), request.remote_addr or "")

    return confirmation_page.respond(
        "manage/confirmation.html", answers.current(session_, customer_number), actor=who.email, me_id="",
        remove=remove, back_url=url_for("manage.confirmation", customer_number=customer_number, lang=get_locale()),
        who=who, customer_number=customer_number)


@blueprint.app_template_filter("hours")
def hours(value: float | None) -> str:
    """A time to decision: "5 h" below two days, "3.5 d" above; "—" when there is none."""
    if value is None:
        return "—"
    if value < 48:
        return _("%(hours)s h", hours=format_decimal(round(value, 1), locale=get_locale()))
    return _("%(days)s d", days=format_decimal(round(value / 24, 1), locale=get_locale()))


@blueprint.get("/export")
def audit_export():
    """Admins: the decision history of a period as CSV (docs/audit-export.md); without a period, the form."""
    who = reviewer()
    if not who.is_admin:
        abort(404)
    form = ExportForm(request.args)
    if not {"first_day", "last_day"} & set(request.args):
        form.last_day.data = _today()
        form.first_day.data = _today() - timedelta(days=89)
        return render_template("manage/export.html", form=form, who=who)
    if not form.validate():
        return render_template("manage/export.html", form=form, who=who), 400
    start, end = days_between(form.first_day.data, form.last_day.data, current_app.config["TIME_ZONE"])
    name = f"woundwo-b2b-decisions-{form.first_day.data}-{form.last_day.data}.csv"
    return Response(stream_with_context(export.decision_rows(db.session(), start, end)), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@blueprint.get("/outbox")
def failing_deliveries():
    """Admins: e-mails and Keycloak changes that keep failing, with a retry button."""
    if not reviewer().is_admin:
        abort(404)
    return render_template("manage/outbox.html", items=review.failing_outbox(db.session()), form=ActionForm())


@blueprint.post("/outbox/<int:item_id>/retry")
def retry_delivery(item_id: int):
    if not reviewer().is_admin:
        abort(404)
    if ActionForm().validate() and outbox.retry(db.session(), item_id, utcnow()):
        flash(_("Queued again."), "ok")
    return redirect(url_for("manage.failing_deliveries", lang=get_locale()))


@blueprint.app_template_filter("breakable")
def breakable(address: str) -> Markup:
    """An e-mail address that wraps before "@" and "." on a narrow screen, never letter by letter."""
    pieces = Markup("<wbr>").join(escape(part) for part in re.split(r"(?=[@.])", address))
    return Markup('<span class="address">%s</span>') % pieces


@blueprint.app_template_filter("age")
def age(moment) -> str:
    """How long ago, in days and hours (e.g. for the queue): "just now", "3 h ago", "2 d 4 h ago"."""
    delta: timedelta = utcnow() - moment
    days, hours = delta.days, delta.seconds // 3600
    if days:
        return _("%(days)d d %(hours)d h ago", days=days, hours=hours)
    return _("%(hours)d h ago", hours=hours) if hours else _("just now")
