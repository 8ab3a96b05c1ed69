"""Real Chromium (Debian's package) driven by Playwright, for the browser tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from devstack.settings import REPO_ROOT

SCREENSHOTS = REPO_ROOT / "test-output" / "screenshots"
# Without these, Chromium tries to reach Google's services, which this closed network refuses.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


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
