"""Reviewing a request in real Chromium: a manager signs in through Keycloak, approves, and the person's address
turns green on the sign-in page soon after the worker has set up the account.

Everything is real: Keycloak with our theme, the bridge under gunicorn, the outbox worker as its own process
(`flask worker --once`), SQLite. The bridge caches "unknown" for up to 20 s, so a just-approved person turns
green within 30 s of provisioning (docs/architecture.md, "What the product promises"; bridge/email_check/).
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
import uuid
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
import requests
from babel.dates import format_date
from playwright.sync_api import expect
from sqlalchemy import create_engine, insert, select, update
from sqlalchemy.orm import Session

from bridge.core.models import AccessRequest, AuditEvent
from devstack.seed import ADMIN, MANAGER_EAST, MANAGER_WEST
from devstack.settings import REPO_ROOT
from tests.browser.bridge_pages import (MIN_FILL_SECONDS, ConfirmationPage, ManagerQueuePage, RequestAccessPage,
                                        RequestDetailPage, RequestDetails, open_review_ui, sticking_out)
from tests.browser.pages import LoginPage
from tests.support.forms import VALID_REQUEST, hidden_fields
from tests.support.waiting import add_known_requests

ERROR_RED = "rgb(179, 38, 30)"      # #B3261E
SUCCESS_GREEN = "rgb(30, 123, 52)"  # #1E7B34
GREEN_WITHIN_SECONDS = 30
THEME_TITLE = "Sign in to the B2B portal"  # loginAccountTitle, messages_en.properties of our theme
TABLETS = {"tablet-portrait": (768, 1024), "tablet-landscape": (1024, 768)}
TOUCH_TARGET_PX = 44


@pytest.fixture
def bridge_database(bridge_server):
    """Read access to the bridge's database, to see what a page claims from the other side."""
    engine = create_engine(bridge_server.env["BRIDGE_DATABASE_URL"])
    yield engine
    engine.dispose()


def stored_request(engine, email: str):
    with engine.connect() as connection:
        return connection.execute(select(AccessRequest).where(AccessRequest.email == email)).one()


@pytest.fixture
def sign_in_page(keycloak, demo, test_env):
    """sign_in_page(page) → the portal's themed sign-in page, from a fresh authorization request."""

    def open_page(page) -> LoginPage:
        return LoginPage.open(page, keycloak.url, test_env["PORTAL_URL"] + "/callback", "en")

    return open_page


@pytest.fixture
def manager_signed_in(new_page, bridge_server, keycloak, demo):
    """manager_signed_in(account) → the review queue, signed in through Keycloak's page in a fresh browser."""

    def sign_in(account, path: str = "/manage/"):
        page = new_page()
        open_review_ui(page, bridge_server.url, path).sign_in(account.email, account.password)
        expect(page).to_have_url(re.compile(rf"^{re.escape(bridge_server.url)}{re.escape(path)}"))
        return page

    return sign_in


def unique_address() -> str:
    return f"new.colleague.{uuid.uuid4().hex[:8]}@pharmacie-centrale.example"


def run_worker_once(bridge_server) -> str:
    """One pass of the outbox worker as its own process: performs what is due now; returns its log."""
    command = [sys.executable, "-m", "flask", "--app", "bridge", "worker", "--once"]
    done = subprocess.run(command, env=bridge_server.env, cwd=REPO_ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stderr


def next_day_in_paris() -> str:
    """Tomorrow's date in the company time zone, written as the review UI writes it in English."""
    tomorrow = datetime.now(ZoneInfo("Europe/Paris")).date() + timedelta(days=1)
    return format_date(tomorrow, "full", locale="en")


def request_over_http(bridge_url: str, email: str) -> None:
    """Send the request form the way a browser without JavaScript does, after a person's filling time."""
    with requests.Session() as client:
        form = client.get(f"{bridge_url}/request-access?lang=en", timeout=10)
        time.sleep(MIN_FILL_SECONDS + 0.5)
        sent = client.post(f"{bridge_url}/request-access?lang=en", timeout=10, allow_redirects=False,
                           data={**VALID_REQUEST, **hidden_fields(form.text), "email": email, "language": "en"})
    assert sent.status_code == 302 and "/request-access/sent" in sent.headers["Location"], sent.status_code


def test_manager_approves_a_request_and_the_new_partner_turns_green_on_the_sign_in_page_within_30_s(
        new_page, bridge_server, keycloak, demo, gateway, sign_in_page, screenshot, axe_clean):
    # (a) A colleague of the partner asks for an account, typing the company a little differently.
    email = unique_address()
    partner = new_page()
    form = RequestAccessPage.open(partner, bridge_server.url, "en")
    form.fill_in(RequestDetails(customer_number="100 001", company="Pharmacie Centrale de Nantes",
                                first_name="Noé", last_name="Vasseur", email=email))
    form.send()
    ConfirmationPage(partner)

    # (b) Not known yet, but asked for: the sign-in page says since when the request waits for the
    # regional manager, without the red frame of an unknown address (and the bridge caches "pending").
    login = sign_in_page(partner)
    login.enter_email(email)
    login.expect_status("pending")
    today = format_date(datetime.now(ZoneInfo("Europe/Paris")).date(), "long", locale="en")
    expect(login.message).to_have_text(re.compile(rf"sent on {re.escape(today)}, is with your regional manager"))
    assert login.frame_colour() != ERROR_RED and login.state_icon() is None
    screenshot(partner, "pending")

    # (c) The customer's regional manager opens the review UI: Keycloak's page in our theme asks to sign in.
    manager = new_page()
    manager_login = open_review_ui(manager, bridge_server.url)
    expect(manager).to_have_url(re.compile(rf"^{re.escape(keycloak.url)}/realms/woundwo/"))
    expect(manager.locator("header.ww-header")).to_be_visible()
    expect(manager_login.title).to_have_text(THEME_TITLE)
    manager_login.sign_in(MANAGER_WEST.email, MANAGER_WEST.password)

    queue = ManagerQueuePage(manager)
    row = queue.row_for(email)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Pending")
    expect(row).to_contain_text("100001 · Pharmacie Centrale")
    screenshot(manager, "queue")
    axe_clean(manager)

    detail = queue.open_request(email)
    expect(detail.title).to_contain_text("Noé Vasseur")
    expect(detail.status).to_have_text("Pending")
    expect(detail.requested("E-mail")).to_have_text(email)
    expect(detail.requested("Customer number")).to_have_text("100001")
    expect(detail.requested("Company as typed")).to_contain_text("Pharmacie Centrale de Nantes")
    expect(detail.company_differs).to_contain_text("differs from the directory")
    expect(detail.directory("Company on file")).to_have_text("Pharmacie Centrale")
    expect(detail.directory("Assigned to")).to_have_text(MANAGER_WEST.email)
    expect(detail.history).to_have_count(1)
    expect(detail.history.first).to_contain_text(f"request received from {email}")
    screenshot(manager, "detail")
    axe_clean(manager)

    tomorrow = {next_day_in_paris()}
    detail = detail.approve(note="Known colleague")
    tomorrow.add(next_day_in_paris())  # the same day unless midnight passed while approving
    expect(detail.flash).to_have_text("Approved.")
    expect(manager.get_by_text("scheduled for")).to_have_count(1)  # said once, not in the notice and the page
    schedule = re.fullmatch(r"Activation e-mail scheduled for (.+), 4:00\sAM \(Europe/Paris\)\.",
                            detail.activation_schedule.inner_text().strip())
    assert schedule and schedule.group(1) in tomorrow, detail.activation_schedule.inner_text()
    expect(detail.status).to_have_text("Approved")
    approved_by = re.compile(rf"approved by {re.escape(MANAGER_WEST.email)}\s*: Known colleague")
    expect(detail.history.nth(1)).to_contain_text(approved_by)
    screenshot(manager, "approved")
    axe_clean(manager)

    # (d) The worker performs what is due now: the account; the activation e-mail waits for 04:00.
    provisioning_started = time.monotonic()
    run_worker_once(bridge_server)
    user = gateway.find_user_by_email(email)
    assert user is not None and user["enabled"], "the worker must have set up the account in Keycloak"
    manager.reload()
    detail = RequestDetailPage(manager)
    expect(detail.history).to_have_count(3)
    expect(detail.history.nth(2)).to_contain_text("account set up in Keycloak")
    expect(detail.page.locator("main")).not_to_contain_text("activation e-mail sent")

    # (e) The same address on the sign-in page turns green; "pending" was cached, so ask again until it does.
    while True:
        login = sign_in_page(partner)
        login.enter_email(email)
        expect(login.field).to_have_attribute("data-email-status", re.compile(r"^(known|unknown|pending)$"),
                                              timeout=10_000)
        elapsed = time.monotonic() - provisioning_started
        if login.status() == "known" or elapsed > GREEN_WITHIN_SECONDS + 5:
            break
        partner.wait_for_timeout(1_000)
    assert login.status() == "known", f"still {login.status()} {elapsed:.0f} s after provisioning started"
    assert elapsed <= GREEN_WITHIN_SECONDS, f"green only {elapsed:.0f} s after provisioning started"
    assert login.frame_colour() == SUCCESS_GREEN and login.state_icon() == "check"
    screenshot(partner, "green")


def test_manager_of_another_region_cannot_open_or_approve_the_request_and_gets_a_404_page(
        bridge_server, bridge_database, manager_signed_in, screenshot, axe_clean):
    email = unique_address()
    request_over_http(bridge_server.url, email)
    request_id = stored_request(bridge_database, email).id
    path = f"/manage/requests/{request_id}"

    east = manager_signed_in(MANAGER_EAST, path)  # signed in, sent on to the page asked for
    answer = east.goto(f"{bridge_server.url}{path}")
    assert answer.status == 404
    expect(east.locator("h1")).to_have_text("This page does not exist.")
    expect(east.locator("main")).not_to_contain_text(email)
    screenshot(east, "not-found")
    axe_clean(east)

    queue = ManagerQueuePage.open(east, bridge_server.url).search(email)
    expect(queue.rows).to_have_count(0)
    token = east.locator("input[name=csrf_token]").first.get_attribute("value")
    approval = east.request.post(f"{bridge_server.url}{path}/approve", form={"csrf_token": token, "note": ""})
    assert approval.status == 404
    assert stored_request(bridge_database, email).status == "pending"


def test_signing_out_ends_the_keycloak_session_so_the_review_ui_asks_for_the_password_again(
        bridge_server, manager_signed_in, screenshot):
    west = manager_signed_in(MANAGER_WEST)
    ManagerQueuePage(west)

    # Without signing out, Keycloak remembers the manager: losing the bridge's cookie alone signs in silently.
    west.context.clear_cookies(domain="localhost", name="woundwo_bridge_session")
    ManagerQueuePage.open(west, bridge_server.url)
    expect(west.locator("#kc-form-login")).to_have_count(0)

    ManagerQueuePage(west).sign_out()
    expect(west.locator("h1")).to_have_text("You have signed out")
    screenshot(west, "signed-out")

    open_review_ui(west, bridge_server.url)  # the sign-in form again, not the queue
    expect(west).not_to_have_url(re.compile(r"/manage/(\?|$)"))


@pytest.mark.parametrize("size", TABLETS.values(), ids=TABLETS.keys())
def test_the_review_screens_fit_a_tablet_with_controls_big_enough_to_tap(
        new_page, bridge_server, keycloak, demo, size, screenshot, axe_clean):
    email = unique_address()
    request_over_http(bridge_server.url, email)
    width, height = size
    page = new_page(width=width, height=height)
    open_review_ui(page, bridge_server.url).sign_in(ADMIN.email, ADMIN.password)  # admins see the widest queue
    queue = ManagerQueuePage(page).search(email)
    expect(queue.row_for(email)).to_have_count(1)
    assert sticking_out(page) == []
    screenshot(page, "queue")
    axe_clean(page)

    detail = queue.open_request(email)
    expect(detail.approve_button).to_be_visible()
    assert sticking_out(page) == []
    controls = page.locator("main button:visible, main select:visible, main textarea:visible, "
                            "main input:visible:not([type=checkbox]):not([type=radio])").all()
    too_small = [control.evaluate("e => e.id || e.name || e.textContent.trim()") for control in controls
                 if control.bounding_box()["height"] < TOUCH_TARGET_PX]
    assert len(controls) >= 4 and too_small == []
    screenshot(page, "detail")
    axe_clean(page)


# Where a rendered text wraps: the index of each character that starts a new line.
LINE_STARTS = """cell => {
    const starts = [], text = [];
    let lastTop = null;
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        for (let i = 0; i < node.length; i++) {
            const range = document.createRange();
            range.setStart(node, i); range.setEnd(node, i + 1);
            const box = range.getClientRects()[0];
            if (box && box.width > 0) {
                if (lastTop !== null && box.top > lastTop + 2) starts.push(text.length);
                lastTop = box.top;
            }
            text.push(node.data[i]);
        }
    }
    return {text: text.join(""), starts};
}"""


@pytest.mark.parametrize("width", [320, 640], ids=["phone", "desktop-at-200-percent"])
def test_email_addresses_wrap_at_at_dots_and_hyphens_not_letter_by_letter(new_page, bridge_server, keycloak, demo, width):
    email = f"very.long.colleague.name.{uuid.uuid4().hex[:8]}@sanitaetshaus-und-pharmacie-centrale.example"
    request_over_http(bridge_server.url, email)
    page = new_page(width=width, height=800)
    open_review_ui(page, bridge_server.url).sign_in(ADMIN.email, ADMIN.password)
    queue = ManagerQueuePage(page).search(email)
    assert_wraps_at_at_and_dots(queue.row_for(email).get_by_role("cell", name=email, exact=True), email, width)
    assert sticking_out(page) == []
    detail = queue.open_request(email)
    assert_wraps_at_at_and_dots(detail.requested("E-mail"), email, width)
    assert sticking_out(page) == []


def assert_wraps_at_at_and_dots(cell, email: str, width: int) -> None:
    wrapped = cell.evaluate(LINE_STARTS)
    assert wrapped["text"].strip() == email
    assert wrapped["starts"], f"at {width} px the address is expected to need more than one line"
    text = wrapped["text"]  # a line starts at "@" or "." (<wbr>), or after a hyphen (the browser's own rule)
    assert all(text[start] in "@." or text[start - 1] == "-" for start in wrapped["starts"]), wrapped


def test_approving_asks_once_and_cancel_changes_nothing(new_page, bridge_server, keycloak, demo, bridge_database,
                                                      axe_clean):
    email = unique_address()
    request_over_http(bridge_server.url, email)
    page = new_page()
    open_review_ui(page, bridge_server.url).sign_in(MANAGER_WEST.email, MANAGER_WEST.password)
    detail = ManagerQueuePage(page).search(email).open_request(email)
    detail.note.fill("Known colleague")
    with page.expect_navigation():
        detail.approve_button.click()
    expect(detail.confirmation).to_contain_text(f"{email} gets access for customer 100001")
    expect(page.locator("#confirm-approve")).to_be_focused()
    axe_clean(page)
    with page.expect_navigation():
        page.get_by_role("link", name="Cancel").click()
    assert stored_request(bridge_database, email).status == "pending"
    expect(RequestDetailPage(page).status).to_have_text("Pending")


def test_an_account_not_created_and_an_ended_access_read_clearly_and_pass_axe(
        new_page, bridge_server, keycloak, demo, bridge_database, axe_clean, screenshot):
    email = unique_address()
    request_over_http(bridge_server.url, email)
    request_id = stored_request(bridge_database, email).id
    with bridge_database.begin() as connection:  # as the worker leaves it after Keycloak refused the name
        connection.execute(update(AccessRequest).where(AccessRequest.id == request_id).values(
            status="failed", provisioning_error="name"))
        connection.execute(insert(AuditEvent).values(  # and a colleague whose access ended
            at=datetime.now(timezone.utc), actor=MANAGER_WEST.email, action="revoked", request_id=None,
            remote_addr="", detail={"keycloak_user_id": str(uuid.uuid4()), "email": "left@pharmacie-centrale.example",
                                    "customer_number": "100001", "reason": "left the company"}))
    page = new_page()
    open_review_ui(page, bridge_server.url, f"/manage/requests/{request_id}").sign_in(
        MANAGER_WEST.email, MANAGER_WEST.password)
    expect(page.locator("#provisioning-failed")).to_contain_text("Correct the name and try again")
    expect(page.locator("#ended-title")).to_be_visible()
    # Its own row: other tests of the session may have ended other people's access at this customer.
    left = page.locator("table[aria-labelledby=ended-title] tr").filter(has_text="left@")
    expect(left.get_by_role("button", name="Give access again")).to_be_visible()
    screenshot(page, "failed-and-ended")
    axe_clean(page)


def test_the_dashboard_reads_in_three_languages_on_a_tablet_and_passes_axe(
        new_page, bridge_server, keycloak, demo, bridge_database, axe_clean, screenshot):
    with Session(bridge_database) as session:
        add_known_requests(session, datetime.now(timezone.utc), tag=f".{uuid.uuid4().hex[:8]}")
    page = new_page(width=768, height=1024)
    open_review_ui(page, bridge_server.url, "/manage/dashboard").sign_in(ADMIN.email, ADMIN.password)
    titles = {"fr": "Combien de temps les partenaires attendent", "de": "Wie lange Partner warten",
              "en": "How long partners wait"}
    for language, title in titles.items():
        page.goto(f"{bridge_server.url}/manage/dashboard?lang={language}")
        expect(page.get_by_role("heading", level=1)).to_have_text(title)
        expect(page.locator("html")).to_have_attribute("lang", language)
        expect(page.locator(".chart svg[role=img]")).to_have_count(1)  # named by its heading and legend
        assert page.locator(".chart-bar").count() >= 2
        assert int(page.locator("#last-days td").first.inner_text()) >= 3  # the known set's approvals, at least
        assert sticking_out(page) == []
        screenshot(page, f"dashboard-{language}")
        axe_clean(page)
