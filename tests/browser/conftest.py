"""Real browsers for the browser tests: Debian's Chromium driven by Playwright, and Debian's Firefox ESR driven
by Selenium through geckodriver (built once from crates.io, devstack/install-geckodriver.sh)."""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright
from sqlalchemy import create_engine, select

from bridge.core.models import AccessRequest
from devstack.settings import REPO_ROOT
from tests.browser.any_browser import PlaywrightPage, SeleniumPage

SCREENSHOTS = REPO_ROOT / "test-output" / "screenshots"
# Without these, Chromium tries to reach Google's services, which this closed network refuses.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# The same for Firefox, beside what geckodriver and Marionette already turn off (telemetry, Normandy,
# remote settings, safe browsing, captive-portal and connectivity checks): updates, plugin downloads,
# DNS over HTTPS, prefetching, the new-tab page's content.
FIREFOX_PREFS = {
    "app.update.disabledForTesting": True, "app.update.auto": False, "media.gmp-manager.url": "",
    "media.gmp-gmpopenh264.enabled": False, "media.gmp-widevinecdm.enabled": False,
    "network.trr.mode": 5, "network.dns.disablePrefetch": True, "network.prefetch-next": False,
    "network.http.speculative-parallel-limit": 0, "browser.newtabpage.enabled": False,
    "browser.startup.page": 0, "extensions.getAddons.cache.enabled": False,
    "extensions.blocklist.enabled": False, "datareporting.policy.dataSubmissionEnabled": False,
    "toolkit.telemetry.enabled": False, "browser.ping-centre.telemetry": False,
    "signon.rememberSignons": False, "extensions.formautofill.creditCards.enabled": False,
}
GECKODRIVER_LOG = REPO_ROOT / "test-output" / "geckodriver.log"


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the session."""
    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail("Chromium is not installed: run `make test` (installs it as root) or apt-get install chromium")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser):
    """Open pages in fresh browser contexts (own cookies), e.g. new_page(locale="de-DE")."""
    contexts = []

    def open_page(locale: str = "en-US", width: int = 1280, height: int = 900):
        context = browser.new_context(locale=locale, viewport={"width": width, "height": height})
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def screenshot(request):
    """Save a screenshot under test-output/screenshots/<test>-<name>.png, kept with the test output."""

    def save(page, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{request.node.name}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return save


@pytest.fixture
def axe_clean():
    """Run axe-core on a page; fail unless it ran (some passes) and found no violations."""
    from axe_playwright_python.sync_playwright import Axe

    def check(page) -> dict:
        results = Axe().run(page).response
        assert results["passes"], "axe-core ran no checks"
        violations = [(v["id"], v["help"], [n["target"] for n in v["nodes"]]) for v in results["violations"]]
        assert violations == [], violations
        return results

    return check


@pytest.fixture(scope="session")
def geckodriver() -> str:
    """The geckodriver binary (built into the download cache on first use, 2.5 to 5 minutes)."""
    if shutil.which("firefox-esr") is None:
        pytest.fail("Firefox ESR is not installed: run `make test` (installs it as root) or apt-get install firefox-esr")
    built = subprocess.run([str(REPO_ROOT / "devstack" / "install-geckodriver.sh")], capture_output=True, text=True)
    if built.returncode != 0:
        pytest.fail(f"geckodriver could not be built: {built.stderr.strip()}")
    # Selenium Manager must never try to download a driver or a browser: both are given explicitly.
    os.environ["SE_OFFLINE"] = "true"
    return built.stdout.strip()


def firefox_driver(geckodriver: str, locale: str, javascript: bool, width: int, height: int):
    """A headless Firefox ESR with a fresh profile."""
    from selenium import webdriver
    from selenium.webdriver.firefox.service import Service

    options = webdriver.FirefoxOptions()
    options.binary_location = shutil.which("firefox-esr")
    options.add_argument("-headless")
    for name, value in {**FIREFOX_PREFS, "intl.accept_languages": locale, "javascript.enabled": javascript}.items():
        options.set_preference(name, value)
    GECKODRIVER_LOG.parent.mkdir(parents=True, exist_ok=True)
    driver = webdriver.Firefox(options=options, service=Service(geckodriver, log_output=str(GECKODRIVER_LOG)))
    driver.set_window_size(width, height)
    return driver


@pytest.fixture(params=["chromium", "firefox"])
def open_browser(request):
    """open_browser(locale="en-US", javascript=True) → a BrowserPage (tests/browser/any_browser.py) in a fresh
    Chromium context or a fresh Firefox profile: the test runs once in each browser."""
    opened = []
    if request.param == "chromium":
        chromium = request.getfixturevalue("browser")

        def open_page(locale: str = "en-US", javascript: bool = True, width: int = 1280, height: int = 900):
            context = chromium.new_context(locale=locale, java_script_enabled=javascript,
                                           viewport={"width": width, "height": height})
            context.set_default_timeout(15_000)
            opened.append(context.close)
            return PlaywrightPage(context.new_page())
    else:
        driver_path = request.getfixturevalue("geckodriver")

        def open_page(locale: str = "en-US", javascript: bool = True, width: int = 1280, height: int = 900):
            driver = firefox_driver(driver_path, locale, javascript, width, height)
            opened.append(driver.quit)
            return SeleniumPage(driver)

    yield open_page
    for close in opened:
        close()


@pytest.fixture
def redirect_uri(test_env) -> str:
    """Where the portal's sign-in ends; nothing listens there in browser tests."""
    return test_env["PORTAL_URL"] + "/callback"


@dataclass(frozen=True)
class Partner:
    email: str
    password: str


@pytest.fixture
def make_partner(gateway):
    """make_partner(locale) → a partner of its own, with a unique address so that no older e-mail in the
    shared mail catcher can match. Keycloak shows a known user's pages in the user's own language."""

    def make(locale: str = "en") -> Partner:
        account = Partner(f"reset.{uuid.uuid4().hex[:10]}@pharmacie-du-lac.example", "Old-Password-2026!")
        user_id = gateway.ensure_user(account.email, "Louise", "Garnier", locale, {}, email_verified=True)
        gateway.grant_realm_role(user_id, "b2b-partner")
        gateway.set_password(user_id, account.password)
        return account

    return make


@pytest.fixture
def stored_request(bridge_server):
    """stored_request(email) → the request the bridge saved for that address (read from its database)."""
    engine = create_engine(bridge_server.env["BRIDGE_DATABASE_URL"])

    def find(email: str) -> AccessRequest | None:
        with engine.connect() as connection:
            return connection.execute(select(AccessRequest).where(AccessRequest.email == email)).first()

    yield find
    engine.dispose()
