/* The admin's own enhancements, loaded on every admin page (admin/base_site.html). */
(function () {
  "use strict";

  // Logging out of the admin forgets the claim drafts the dashboard keeps in the
  // tab's storage (dashboard.js, "Drafts"), as the dashboard's Log out does: the
  // storage outlives the session, and the next person may log in on this tab.
  document.addEventListener("submit", function (event) {
    if (event.target.id !== "logout-form") return;
    try {
      for (var i = sessionStorage.length - 1; i >= 0; i--) {
        var key = sessionStorage.key(i);
        if (key && key.indexOf("draft:") === 0) sessionStorage.removeItem(key);
      }
    } catch (e) { /* storage off: no drafts */ }
  });
})();
