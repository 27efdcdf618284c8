/* Small enhancements for the dashboard. Every page works without them; this
 * file is loaded from our own origin, so a Content-Security-Policy needs no
 * inline-script exception. */
(function () {
  "use strict";

  var PANEL = "claim-panel";

  function markSelected(id) {
    document.querySelectorAll(".article-text a.claim.selected").forEach(function (a) {
      a.classList.remove("selected");
      a.removeAttribute("aria-current");
    });
    if (!id) return;
    document.querySelectorAll('.article-text a.claim[data-claim="' + id + '"]').forEach(function (a) {
      a.classList.add("selected");
      a.setAttribute("aria-current", "true");
    });
  }

  function enhance(root) {
    // Copy buttons are hidden in the markup: without this script they could not work.
    root.querySelectorAll("[data-copy][hidden]").forEach(function (button) {
      if (navigator.clipboard) button.hidden = false;
    });
    // Select-all covers what the user sees: every claim on the page, whichever
    // confidence group's header box is used (they all stay in step).
    root.querySelectorAll("th.col-select").forEach(function (th) {
      if (th.querySelector("input")) return;
      var box = document.createElement("input");
      box.type = "checkbox";
      box.setAttribute("data-select-all", "bulk-form");
      box.setAttribute("aria-label", "Select all claims on this page");
      th.appendChild(box);
    });
    root.querySelectorAll(".select-all[hidden]").forEach(function (p) { p.hidden = false; });
    var start = root.querySelector ? root.querySelector("#panel-start[data-claim]") : null;
    if (start) markSelected(start.getAttribute("data-claim"));
  }

  document.addEventListener("change", function (event) {
    var box = event.target;
    var form = box.form || box.closest("form");
    if (!form || form.id !== "bulk-form") return;
    var rows = form.querySelectorAll('input[name="claims"]');
    var all = form.querySelectorAll("input[data-select-all]");
    if (box.hasAttribute("data-select-all")) {
      rows.forEach(function (row) { row.checked = box.checked; });
    }
    var every = rows.length > 0 && Array.prototype.every.call(rows, function (r) { return r.checked; });
    all.forEach(function (b) { b.checked = every; });
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button) return;
    var source = document.getElementById(button.getAttribute("data-copy"));
    var status = button.parentNode.querySelector(".copy-status");
    var text = source.value !== undefined ? source.value : source.textContent;
    navigator.clipboard.writeText(text).then(
      function () { if (status) status.textContent = "Copied."; },
      function () { if (status) status.textContent = "Could not copy: select the text instead."; }
    );
  });

  // A claim opened beside the text: take keyboard focus there, so keyboard and
  // screen-reader users land on what they asked for.
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (!target || target.id !== PANEL) return;
    var focus = target.querySelector(".error-summary") || target.querySelector("#panel-start");
    if (focus) {
      if (!focus.hasAttribute("tabindex")) focus.setAttribute("tabindex", "-1");
      focus.focus();
    }
  });

  document.addEventListener("htmx:load", function (event) { enhance(event.detail.elt); });
  document.addEventListener("DOMContentLoaded", function () { enhance(document); });
})();
