// Keycloak's checks for a session started in another tab, fed from data attributes on <body>
// (set by template.ftl) so that the page needs no inline script.
import { startSessionPolling, checkAuthSession } from "./authChecker.js";

const data = document.body.dataset;
if (data.ssoUrl) {
  startSessionPolling(data.ssoUrl);
}
if (data.authSessionHash) {
  checkAuthSession(data.authSessionHash);
}
