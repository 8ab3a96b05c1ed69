/* Switching the language keeps what was typed.
 *
 * On a page whose form carries data-keeps-typing, a click on a language link in the header sends the
 * form's current values to the link's address with switch_language set: the bridge shows the same form
 * in the new language with those values, without checking or storing anything. Without this script
 * the links work as plain links.
 */
(function () {
  "use strict";

  function start() {
    var form = document.querySelector("form[data-keeps-typing]");
    if (!form) {
      return;
    }
    Array.prototype.forEach.call(document.querySelectorAll(".languages a[hreflang]"), function (link) {
      link.addEventListener("click", function (event) {
        event.preventDefault();
        var marker = document.createElement("input");
        marker.type = "hidden";
        marker.name = "switch_language";
        marker.value = link.getAttribute("hreflang");
        form.appendChild(marker);
        form.action = link.href;
        // submit() skips the browser's own validation and the form's submit handlers: nothing is sent yet.
        form.submit();
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
