"""A small browser-neutral page driver, so that one list of scenarios runs in Chromium and in Firefox.

Chromium is driven by Playwright (as in the other browser tests), Debian's Firefox ESR by Selenium through
geckodriver (Playwright's Firefox is a patched build downloaded from the internet; Debian's cannot be driven
by it). A scenario says what a person does (type, paste, click, press a key, go back) and reads what the page
shows through `run`, a script evaluated in the page; the two implementations differ only in those verbs.
Waits poll what the page shows; the only fixed pauses are the ones a scenario is about (a person who clicks
two seconds after the page appeared).
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Callable, Iterator
from urllib.parse import parse_qs, urlparse

# How long what the page shows may take to change: the live check's 400 ms pause + the bridge + margin.
WAIT_SECONDS = 10.0


@dataclass
class Landing:
    """The browser's arrival at a client's redirect URI: proof that Keycloak signed someone in."""

    url: str = ""

    @property
    def code(self) -> str | None:
        return parse_qs(urlparse(self.url).query).get("code", [None])[0]


class BrowserPage(ABC):
    """One tab of a real browser. Selectors are CSS selectors; `run` scripts are function bodies that read
    their parameters from `arguments`, as in WebDriver's execute_script."""

    browser: str  # "chromium" or "firefox"
    # Errors of a page that is being replaced by the next one: a wait tries again.
    transient_errors: tuple[type[Exception], ...] = ()

    # --- the verbs each browser implements ----------------------------------------------------

    @abstractmethod
    def goto(self, url: str) -> None:
        """Open `url` and wait for its load event."""

    @property
    @abstractmethod
    def url(self) -> str: ...

    @abstractmethod
    def run(self, body: str, *args):
        """Evaluate a function body in the page, e.g. run("return document.title")."""

    @abstractmethod
    def type(self, selector: str, text: str) -> None:
        """Type into a field key by key as a person does (one input event per key); the focus stays there."""

    @abstractmethod
    def click(self, selector: str) -> None:
        """One click with the mouse (pointer events, then click)."""

    @abstractmethod
    def press(self, key: str) -> None:
        """Press a key or a shortcut on the focused element: "Tab", "Enter", "Control+a", "Control+c", "Control+v"."""

    @abstractmethod
    def back(self) -> None:
        """The browser's Back button."""

    @abstractmethod
    @contextmanager
    def lands_on(self, redirect_uri: str) -> Iterator[Landing]:
        """Expect the actions inside the block to send the browser to `redirect_uri` (nothing need listen there)."""

    @abstractmethod
    def screenshot(self, path: str, full_page: bool = True) -> None:
        """Save a PNG (the signature of Playwright's, so the `screenshot` fixture takes either page)."""

    # --- built on those -----------------------------------------------------------------------

    def wait_until(self, condition: Callable[[], object], what: str, timeout: float = WAIT_SECONDS):
        """Poll `condition` until it returns something true, and return that; fail naming `what`."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                result = condition()
            except self.transient_errors as exc:
                result, last_error = None, exc
            else:
                last_error = None
            if result:
                return result
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.browser}: waited {timeout} s for {what}") from last_error
            time.sleep(0.05)

    def exists(self, selector: str) -> bool:
        return self.run("return document.querySelector(arguments[0]) !== null", selector)

    def wait_for(self, selector: str, timeout: float = WAIT_SECONDS) -> None:
        self.wait_until(lambda: self.exists(selector), f"{selector} on {self.url}", timeout)

    def value(self, selector: str) -> str:
        return self.run("return document.querySelector(arguments[0]).value", selector)

    def attribute(self, selector: str, name: str) -> str | None:
        return self.run("return document.querySelector(arguments[0]).getAttribute(arguments[1])", selector, name)

    def text(self, selector: str) -> str:
        return self.run("return document.querySelector(arguments[0]).innerText.trim()", selector)

    def focused_id(self) -> str:
        return self.run("return document.activeElement ? document.activeElement.id : ''")

    def set_silently(self, selector: str, value: str) -> None:
        """Set a field's value the way silent autofill does: from script, without any event."""
        self.run("document.querySelector(arguments[0]).value = arguments[1]", selector, value)

    def fill(self, selector: str, text: str) -> None:
        """Replace a field's text by typing, as a person who selects all and types over it."""
        self.run("document.querySelector(arguments[0]).focus()", selector)
        self.press("Control+a")
        self.type(selector, text)

    def paste(self, selector: str, text: str) -> None:
        """Paste `text` into a field with Ctrl+V, the text having been copied with Ctrl+C from a scratch field."""
        self.run("""const scratch = document.createElement("textarea");
                    scratch.id = "test-clipboard"; scratch.value = arguments[0];
                    document.body.appendChild(scratch); scratch.focus(); scratch.select();""", text)
        self.press("Control+c")
        self.run("""document.getElementById("test-clipboard").remove();
                    document.querySelector(arguments[0]).focus();""", selector)
        self.press("Control+v")


class PlaywrightPage(BrowserPage):
    """Chromium through Playwright."""

    browser = "chromium"

    def __init__(self, page):
        from playwright.sync_api import Error

        self.page = page
        self.transient_errors = (Error,)

    def goto(self, url: str) -> None:
        self.page.goto(url)

    @property
    def url(self) -> str:
        return self.page.url

    def run(self, body: str, *args):
        return self.page.evaluate("args => (function () {" + body + "}).apply(null, args)", list(args))

    def type(self, selector: str, text: str) -> None:
        self.page.locator(selector).press_sequentially(text, delay=20)

    def click(self, selector: str) -> None:
        self.page.locator(selector).click()

    def press(self, key: str) -> None:
        self.page.keyboard.press(key)

    def back(self) -> None:
        self.page.go_back()

    @contextmanager
    def lands_on(self, redirect_uri: str) -> Iterator[Landing]:
        landing = Landing()
        with self.page.expect_request(lambda request: request.url.startswith(redirect_uri + "?"),
                                      timeout=WAIT_SECONDS * 1000) as request:
            yield landing
        landing.url = request.value.url

    def screenshot(self, path: str, full_page: bool = True) -> None:
        self.page.screenshot(path=path, full_page=full_page)


class SeleniumPage(BrowserPage):
    """Firefox through Selenium and geckodriver."""

    browser = "firefox"

    def __init__(self, driver):
        from selenium.webdriver.common.keys import Keys

        from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException

        self.driver = driver
        self.keys = {"Tab": Keys.TAB, "Enter": Keys.ENTER, "Control": Keys.CONTROL}
        self.transient_errors = (NoSuchElementException, StaleElementReferenceException)

    def goto(self, url: str) -> None:
        self.driver.get(url)

    @property
    def url(self) -> str:
        return self.driver.current_url

    def run(self, body: str, *args):
        return self.driver.execute_script(body, *args)

    def _element(self, selector: str):
        from selenium.webdriver.common.by import By

        return self.driver.find_element(By.CSS_SELECTOR, selector)

    # Native WebDriver commands rather than scripts: they also work with JavaScript switched off.
    def exists(self, selector: str) -> bool:
        from selenium.webdriver.common.by import By

        return bool(self.driver.find_elements(By.CSS_SELECTOR, selector))

    def value(self, selector: str) -> str:
        return self._element(selector).get_property("value")

    def attribute(self, selector: str, name: str) -> str | None:
        return self._element(selector).get_dom_attribute(name)

    def text(self, selector: str) -> str:
        # innerText as in the page (WebDriver's element text turns no-break spaces into spaces).
        return self._element(selector).get_property("innerText").strip()

    def type(self, selector: str, text: str) -> None:
        self._element(selector).send_keys(text)

    def click(self, selector: str) -> None:
        self._element(selector).click()

    def press(self, key: str) -> None:
        from selenium.webdriver.common.action_chains import ActionChains

        *modifiers, last = key.split("+")
        actions = ActionChains(self.driver)
        for modifier in modifiers:
            actions.key_down(self.keys[modifier])
        actions.send_keys(self.keys.get(last, last))
        for modifier in reversed(modifiers):
            actions.key_up(self.keys[modifier])
        actions.perform()

    def back(self) -> None:
        self.driver.back()

    @contextmanager
    def lands_on(self, redirect_uri: str) -> Iterator[Landing]:
        # Nothing listens at the redirect URI: Firefox shows its "cannot connect" page, and the WebDriver
        # command that led there (a click) reports "Reached error page: about:neterror?...&u=<the URI>".
        from selenium.common.exceptions import WebDriverException

        landing = Landing()
        try:
            yield landing
        except WebDriverException as exc:
            if "Reached error page" not in (exc.msg or ""):
                raise
        landing.url = self.wait_until(lambda: self._reached(redirect_uri), f"the browser to reach {redirect_uri}")

    def _reached(self, redirect_uri: str) -> str | None:
        """The address the tab shows or tried to open, if it is `redirect_uri` with a query."""
        url = self.driver.current_url
        if url.startswith("about:neterror?"):
            url = parse_qs(urlparse(url).query).get("u", [""])[0]
        return url if url.startswith(redirect_uri + "?") else None

    def screenshot(self, path: str, full_page: bool = True) -> None:
        (self.driver.save_full_page_screenshot if full_page else self.driver.save_screenshot)(path)
