/* Switching the language keeps the typed e-mail address.
 *
 * Keycloak's language links (kc_locale) load the page anew in the other language, and Keycloak does not
 * carry what was typed across. A click on one of them keeps the e-mail field's value in this tab's
 * sessionStorage; the next page puts it back once and forgets it. The password is never kept. Without
 * this script (or without sessionStorage) the links work as plain links.
 */
(function () {
  "use strict";

  var KEY = "ww-typed-username";

  function storage() {
    try {
      return window.sessionStorage;
    } catch (error) {
      return null; // storage switched off: the links still work, the address is not kept
    }
  }

  function start() {
    var store = storage();
    var input = document.querySelector("form #username");
    if (!store) {
      return;
    }
    var kept = store.getItem(KEY);
    store.removeItem(KEY);
    if (input && kept && !input.value) {
      input.value = kept;
      // The live check (email-check.js) looks at the restored value as at any change.
      input.dispatchEvent(new Event("change"));
    }
    if (!input) {
      return;
    }
    Array.prototype.forEach.call(document.querySelectorAll(".ww-lang a[hreflang]"), function (link) {
      link.addEventListener("click", function () {
        if (input.value) {
          store.setItem(KEY, input.value);
        }
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
