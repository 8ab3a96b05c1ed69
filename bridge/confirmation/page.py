"""The confirmation page, one for the team page and the review UI: the list of a customer's people, the answers
given, and what became of them. The caller's blueprint has checked who may answer for the customer and passes
its own way of ending a person's access."""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app, flash, redirect, render_template, request
from flask_babel import gettext as _

from bridge.confirmation import answers
from bridge.confirmation.forms import ConfirmationForm
from bridge.core import db
from bridge.core.models import Answer, Confirmation, ConfirmationRound, Customer, utcnow
from bridge.keycloak.interface import KeycloakRefused, KeycloakUnavailable

KEYCLOAK_TROUBLE = (KeycloakUnavailable, KeycloakRefused)


def respond(template: str, confirmation: Confirmation | None, *, actor: str, me_id: str,
            remove: Callable[[str], object], back_url: str, **context):
    """GET: the list; POST: record the answers (the one answering is on the list: they confirm themselves by
    answering), then back to the list with what was done."""
    if confirmation is None:
        return render_template(template, confirmation=None, **context)
    session = db.session()
    form, status = None, 200
    if request.method == "POST":
        form = ConfirmationForm()
        if form.validate():
            given = {row.user_id.data: row.answer.data for row in form.people if row.answer.data}
            given[me_id] = Answer.CONFIRMED
            try:
                done = answers.answer(session, confirmation, given, actor, utcnow(), request.remote_addr or "", remove)
            except KEYCLOAK_TROUBLE:
                session.rollback()
                current_app.logger.warning("a confirmation's removal failed in Keycloak")
                flash(_("Not all answers could be saved. Please send them again in a moment."), "error")
                return redirect(back_url)
            flash(_("Thank you. Confirmed: %(confirmed)d. Access ended: %(removed)d.", confirmed=done["confirmed"],
                    removed=done["removed"]), "ok")
            return redirect(back_url)
        status = 400
    try:
        people = answers.people(session, current_app.extensions["bridge.keycloak"], confirmation)
    except KEYCLOAK_TROUBLE:
        people = None
    if form is None:
        form = ConfirmationForm(formdata=None, data={"people": [
            {"user_id": person.user_id, "answer": person.answer or None}
            for person in people or () if person.open and person.user_id != me_id]})
    started, due = answers.period(session.get(ConfirmationRound, confirmation.round_id), current_app.config)
    return render_template(
        template, confirmation=confirmation, people=people, form=form, me_id=me_id,
        rows={row.user_id.data: row for row in form.people},
        customer=session.get(Customer, confirmation.customer_number), started=started, due=due,
        **context), status
