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
    root.querySelectorAll("th.col-select").forEach(function (th) {
      if (th.querySelector("input")) return;
      var box = document.createElement("input");
      box.type = "checkbox";
      box.setAttribute("aria-label", "Select all claims in this table");
      th.appendChild(box);
    });
    var start = root.querySelector ? root.querySelector("#panel-start[data-claim]") : null;
    if (start) {
      markSelected(start.getAttribute("data-claim"));
      showState(start);
    }
  }

  // After an action in the panel, the claim's highlights in the text show its
  // new status (the list item below comes in the same answer, out of band).
  function showState(start) {
    var id = start.getAttribute("data-claim");
    var status = start.getAttribute("data-status");
    var state = start.getAttribute("data-state");
    document.querySelectorAll('.article-text a.claim[data-claim="' + id + '"]').forEach(function (a) {
      a.className = a.className.replace(/\bst-[a-z_]+/, "st-" + status);
      if (status === "unstarted") a.removeAttribute("data-state");
      else a.setAttribute("data-state", state);
      a.title = a.title.replace(/; [^:]*: [^:]*: open this claim$/, "; " + state.toLowerCase() + ": open this claim");
    });
  }

  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!box.matches("th.col-select input")) return;
    box.closest("table").querySelectorAll('tbody input[name="claims"]').forEach(function (row) {
      row.checked = box.checked;
    });
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

  // A form on the claim page posts with htmx and gets the page's main part back
  // (#claim-main). Keep the reader's place: the form that was sent stays where
  // it was on screen, whatever was added above it (a comment, a message).
  var MAIN = "claim-main";
  var kept = null;

  function formKey(form) {
    var key = form.getAttribute("hx-post");
    var same = document.querySelectorAll('#' + MAIN + ' form[hx-post="' + key + '"]');
    return { key: key, index: Array.prototype.indexOf.call(same, form) };
  }

  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    var form = event.detail.requestConfig ? event.detail.requestConfig.elt : null;
    kept = null;
    if (!target || target.id !== MAIN || !form || !form.matches("form[hx-post]")) return;
    kept = formKey(form);
    kept.top = form.getBoundingClientRect().top;
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (!target || target.id !== MAIN || !kept) return;
    var forms = target.querySelectorAll('form[hx-post="' + kept.key + '"]');
    var form = forms[kept.index] || forms[0];
    var top = kept.top;
    kept = null;
    if (!form) return;
    window.scrollBy(0, form.getBoundingClientRect().top - top);
    // Keyboard and screen-reader users continue where they were: at the field
    // with an error, or the form's first field (a refusal for the whole claim,
    // such as a change made meanwhile, is summarised at the top instead).
    var summary = target.querySelector(".error-summary");
    var focus = form.querySelector(".has-error input, .has-error textarea, .has-error select");
    if (!focus && summary) {
      summary.setAttribute("tabindex", "-1");
      summary.focus();
      return;
    }
    focus = focus || form.querySelector("textarea, input:not([type=hidden]), select, button");
    if (focus) focus.focus({ preventScroll: true });
  });

  document.addEventListener("htmx:load", function (event) { enhance(event.detail.elt); });
  document.addEventListener("DOMContentLoaded", function () { enhance(document); });
})();
