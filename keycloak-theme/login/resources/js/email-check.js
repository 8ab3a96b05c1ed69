/* WOUNDWO live e-mail check on the login and forgot-password forms.
 *
 * Progressive enhancement only: it never disables, delays or cancels a submit, and without it the
 * plain Keycloak form works. The form carries the endpoint in data-email-check (empty = off); the
 * page carries the texts in <template id="ww-email-texts">. The field wrapper #ww-email-field
 * shows the state in data-email-status: idle, checking, known, unknown, invalid, throttled,
 * unavailable or disabled.
 */
(function () {
  "use strict";

  var DEBOUNCE_MS = 400;
  var TIMEOUT_MS = 3000;
  var DEFAULT_RETRY_AFTER_S = 60;
  // Chromium may fill the field without any event: look again a few times after load.
  var POLL_MS = [100, 300, 700, 1500, 3000];
  var STATUSES = ["known", "unknown", "pending", "invalid", "disabled", "throttled", "unavailable"];
  var SINCE = "@@since@@"; // stands for the request's date in the "pending" text
  var EDGE_SPACE = /^[\s\u200b-\u200d\ufeff]+|[\s\u200b-\u200d\ufeff]+$/g;
  var LEADING_SPACE = /^[\s\u200b-\u200d\ufeff]+/;
  var LOOKS_LIKE_EMAIL = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;

  function setUp(form) {
    var input = form.querySelector("#username");
    var field = document.getElementById("ww-email-field");
    var message = document.getElementById("ww-email-message");
    var texts = document.getElementById("ww-email-texts");
    var forgotHint = document.getElementById("ww-forgot-hint");
    var endpoint = form.getAttribute("data-email-check");
    if (!endpoint || !input || !field || !message || typeof fetch !== "function") {
      return;
    }

    var state = field.getAttribute("data-email-status");
    var cache = {};       // lower-cased address -> lasting answer, for this page only
    var seq = 0;          // only the latest check may set the state
    var checkedValue = null;
    var blockedUntil = 0; // after a 429, answer "throttled" locally until then
    var sinceOf = {}; // address → the date of its pending request
    var pendingSince = "";
    var switchedOff = false;
    var timer = 0;
    var seenValue = input.value; // last value seen by an input event or a poll
    // After a reset request Keycloak shows "if this address has access, an e-mail is on its way" with the
    // address filled in; when the check finds no access for it, one message says that no e-mail was sent.
    var resetNotice = document.querySelector("#ww-page-message[data-reset-requested]");
    var resetFor = resetNotice ? input.value.replace(EDGE_SPACE, "").toLowerCase() : null;

    function show(status) {
      if (status === state) {
        return;
      }
      state = status;
      field.setAttribute("data-email-status", status);
      if (status === "unknown") {
        input.setAttribute("aria-invalid", "true");
      } else {
        input.removeAttribute("aria-invalid");
      }
      var noMail = resetFor !== null && (status === "unknown" || status === "pending")
        && (checkedValue || "").toLowerCase() === resetFor;
      if (resetNotice) {
        resetNotice.hidden = noMail;
      }
      var text = texts && texts.content.querySelector('[data-status="' + status + '"]'
        + (noMail ? "[data-after-reset]" : ":not([data-after-reset])"));
      message.textContent = "";
      if (text) {
        var copy = text.cloneNode(true);
        if (status === "pending") {
          copy.textContent = copy.textContent.replace(SINCE, longDate(pendingSince));
        }
        message.appendChild(copy);
      }
      if (forgotHint) {
        forgotHint.hidden = status !== "known";
      }
    }

    // "2026-12-01" as the page's language writes a date ("1 December 2026", "1. Dezember 2026").
    function longDate(isoDay) {
      try {
        return new Intl.DateTimeFormat(document.documentElement.lang || undefined, { dateStyle: "long" })
          .format(new Date(isoDay + "T12:00:00"));
      } catch (error) {
        return isoDay || "";
      }
    }

    // Removes spaces before/after the address, silently, keeping the caret where it was.
    function cleanValue() {
      var value = input.value;
      var cleaned = value.replace(EDGE_SPACE, "");
      if (cleaned !== value) {
        var caret = document.activeElement === input ? input.selectionStart : null;
        var lead = (value.match(LEADING_SPACE) || [""])[0].length;
        input.value = cleaned;
        if (caret !== null) {
          caret = Math.max(0, Math.min(cleaned.length, caret - lead));
          try { input.setSelectionRange(caret, caret); } catch (ignored) { /* not focusable now */ }
        }
      }
      return cleaned;
    }

    function ask(email) {
      var controller = typeof AbortController === "function" ? new AbortController() : null;
      var timeoutId;
      var timeout = new Promise(function (resolve) {
        timeoutId = setTimeout(function () {
          if (controller) { controller.abort(); }
          resolve("unavailable");
        }, TIMEOUT_MS);
      });
      var request = fetch(endpoint, {
        method: "POST",
        mode: "cors",
        credentials: "omit",
        cache: "no-store",
        headers: { "Content-Type": "application/json", "Accept": "application/json" },
        body: JSON.stringify({ email: email }),
        signal: controller ? controller.signal : undefined
      }).then(function (response) {
        if (response.status === 429) {
          var seconds = parseInt(response.headers.get("Retry-After"), 10);
          blockedUntil = Date.now() + 1000 * (seconds > 0 ? Math.min(seconds, 3600) : DEFAULT_RETRY_AFTER_S);
          return "throttled";
        }
        return response.json().then(function (body) {
          var status = body && body.status;
          if (status === "pending") {
            sinceOf[email.toLowerCase()] = body.since;
          }
          return response.ok && STATUSES.indexOf(status) >= 0 ? status : "unavailable";
        });
      })["catch"](function () {
        return "unavailable";
      });
      return Promise.race([request, timeout]).then(function (status) {
        clearTimeout(timeoutId);
        return status;
      });
    }

    // retry: also ask again for the same value when the last answer was a passing problem.
    function check(retry) {
      clearTimeout(timer);
      var value = cleanValue();
      var passing = state === "unavailable" || state === "throttled";
      if (value === checkedValue && !(retry && passing)) {
        return;
      }
      checkedValue = value;
      var mine = ++seq;
      if (!value) {
        return show("idle");
      }
      if (switchedOff) {
        return show("disabled");
      }
      if (!LOOKS_LIKE_EMAIL.test(value)) {
        return show("invalid");
      }
      var key = value.toLowerCase();
      pendingSince = sinceOf[key];
      if (cache[key]) {
        return show(cache[key]);
      }
      if (Date.now() < blockedUntil) {
        return show("throttled");
      }
      show("checking");
      ask(value).then(function (status) {
        if (status === "known" || status === "unknown" || status === "pending" || status === "invalid") {
          cache[key] = status;
        } else if (status === "disabled") {
          switchedOff = true;
        }
        if (mine === seq) {
          pendingSince = sinceOf[key];
          show(status);
        }
      });
    }

    function checkSoon(retry) {
      setTimeout(function () { check(retry); }, 0);
    }

    // Catches values set without any event (silent autofill), and only those: a value the
    // person is typing is left to the debounce.
    function poll() {
      if (input.value !== seenValue) {
        seenValue = input.value;
        check(true);
      }
    }

    input.addEventListener("input", function () {
      seenValue = input.value;
      clearTimeout(timer);
      if (input.value.replace(EDGE_SPACE, "") !== checkedValue) {
        // The shown state belonged to another value: drop it, and any answer still on its way.
        seq++;
        checkedValue = null;
        show("idle");
      }
      timer = setTimeout(check, DEBOUNCE_MS);
    });
    input.addEventListener("blur", function () { check(true); });
    input.addEventListener("change", function () { check(true); });
    input.addEventListener("paste", function () { checkSoon(true); });
    // css/woundwo.css starts the "ww-autofill" animation on :-webkit-autofill / :autofill.
    input.addEventListener("animationstart", function (event) {
      if (event.animationName === "ww-autofill") { checkSoon(true); }
    });
    // Chromium reveals an autofilled value to scripts only after the first user gesture.
    ["pointerdown", "keydown"].forEach(function (type) {
      document.addEventListener(type, function () { setTimeout(poll, 50); }, { once: true, capture: true });
    });
    window.addEventListener("pageshow", function (event) {
      if (event.persisted) { checkSoon(true); }
    });
    // Cleans the value that is sent; never prevents the submit.
    form.addEventListener("submit", cleanValue);

    check();
    POLL_MS.forEach(function (ms) { setTimeout(poll, ms); });
  }

  function start() {
    // A page restored from the back/forward cache keeps buttons disabled by onsubmit: free them.
    window.addEventListener("pageshow", function (event) {
      if (!event.persisted) { return; }
      Array.prototype.forEach.call(document.querySelectorAll("form [type=submit]"), function (button) {
        button.disabled = false;
      });
    });
    Array.prototype.forEach.call(document.querySelectorAll("form[data-email-check]"), setUp);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
