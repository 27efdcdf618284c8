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
    if (start) {
      markSelected(start.getAttribute("data-claim"));
      showState(start);
    }
  }

  // "Show the rest of the text" replaces the link that had the focus: without
  // this the focus fell to the page and the next Tab went to the claims list
  // under the text. The reader goes on at the first claim of the part loaded
  // (or its own "Show the rest" link, if it has no claim).
  function continueReading(part) {
    var first = part.querySelector("a.claim");
    var next = part.nextElementSibling;
    if (!first && next && next.matches("p.more-claims")) first = next.querySelector("a");
    if (first) first.focus();
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

  // The answer to a form in the claim's part of the page brings its own message;
  // the one the page was loaded with (outside that part) is old news by then.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    if (!target || (target.id !== MAIN && target.id !== PANEL) || !event.detail.shouldSwap) return;
    document.querySelectorAll(".messages .message").forEach(function (message) {
      if (!target.contains(message)) message.remove();
    });
  });

  // --- Drafts: text typed in a claim's forms and not sent yet -------------------
  // Every form of a claim answers with the whole #claim-main (or #claim-panel), so
  // a swap wiped what was typed in the other forms ("Take it myself" emptied the
  // comment box). What is typed is kept per form and field (the form's action
  // names the claim) while it differs from what the page gave, put back after a
  // swap if the field still holds what it held then (the server's own text, such
  // as a change made meanwhile, wins), and forgotten when its form is sent.
  // The drafts are the person's who typed them (base.html's <body data-user>, the
  // tab's storage outlives a log in): keyed by who is logged in, forgotten when
  // they log out, and another person's dropped when a page of theirs loads, so
  // the next person to log in on the tab never gets them back.
  var DRAFT_AREA = "#" + MAIN + ", #" + PANEL;
  var DRAFT_FIELDS = "textarea, input:not([type=hidden]):not([type=checkbox]):not([type=radio])" +
    ":not([type=submit]):not([type=button]):not([type=file]):not([type=reset])";
  var DRAFT_PREFIX = "draft:";
  var USER_DRAFTS = DRAFT_PREFIX + (document.body.getAttribute("data-user") || "") + ":";

  function draftKey(form, field) {
    return USER_DRAFTS + form.getAttribute("action") + "#" + (field.id || field.name);
  }

  // Every draft in the tab's storage, except those whose key starts with ``keep``.
  function dropDrafts(keep) {
    try {
      for (var i = sessionStorage.length - 1; i >= 0; i--) {
        var key = sessionStorage.key(i);
        if (key && key.indexOf(DRAFT_PREFIX) === 0 && !(keep && key.indexOf(keep) === 0)) {
          sessionStorage.removeItem(key);
        }
      }
    } catch (e) { /* storage off: no drafts */ }
  }

  document.addEventListener("submit", function (event) {
    if (event.target.matches("form.logout")) dropDrafts();
  });
  if (document.body.hasAttribute("data-user")) dropDrafts(USER_DRAFTS);

  function draftForm(element) {
    var form = element && element.form;
    if (!form || !form.getAttribute("action") || !form.closest(DRAFT_AREA)) return null;
    return form;
  }

  document.addEventListener("input", function (event) {
    var field = event.target;
    var form = draftForm(field);
    if (!form || !field.matches(DRAFT_FIELDS)) return;
    var key = draftKey(form, field);
    try {
      if (field.value === field.defaultValue) sessionStorage.removeItem(key);
      else sessionStorage.setItem(key, JSON.stringify({ value: field.value, base: field.defaultValue }));
    } catch (e) { /* storage off: no drafts */ }
  });

  function forgetDrafts(form) {
    form.querySelectorAll(DRAFT_FIELDS).forEach(function (field) {
      try { sessionStorage.removeItem(draftKey(form, field)); } catch (e) { /* storage off */ }
    });
  }

  function restoreDrafts(root) {
    root.querySelectorAll("form[action]").forEach(function (form) {
      form.querySelectorAll(DRAFT_FIELDS).forEach(function (field) {
        var draft = null;
        try { draft = JSON.parse(sessionStorage.getItem(draftKey(form, field))); } catch (e) { return; }
        if (!draft || field.value !== draft.base || field.value === draft.value) return;
        field.value = draft.value;
        var fold = field.closest("details");
        if (fold) fold.open = true;
      });
    });
  }

  // A form sent without htmx leaves the page: its answer shows what was typed
  // if it was refused. An htmx form's drafts go once it is saved (a refusal
  // comes back with the typed text, a 5xx or a lost connection leaves the page).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.closest(DRAFT_AREA) && !form.hasAttribute("hx-post")) forgetDrafts(form);
  });

  document.addEventListener("htmx:beforeSwap", function (event) {
    var form = event.detail.requestConfig ? event.detail.requestConfig.elt : null;
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    if (form && form.matches && form.matches("form[hx-post]") && status < 300) forgetDrafts(form);
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (target && (target.id === MAIN || target.id === PANEL)) restoreDrafts(target);
  });
  // A page loaded whole shows its claim's drafts too: Back to the article page
  // after another highlight replaced the panel, or the claim page reloaded.
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(DRAFT_AREA).forEach(restoreDrafts);
  });

  // --- Requests that got no usable answer -----------------------------------------
  // A 5xx (a proxy's 502, a crash) is not swapped in (base.html's htmx config) and
  // a lost connection has no answer at all: without a word here nothing showed
  // that the save failed. The page is left as it was, typed text included.
  // Only for the claim's forms and what goes into the panel or the claim's part
  // of the page: a background request (a progress poll, a suggestion list) that
  // fails is tried again or typed again, and needs no alert.
  function failureNote(element, target) {
    var form = element.closest ? element.closest("form") : null;
    if (form && !form.closest(DRAFT_AREA)) return null;
    var host = form || (target && (target.id === PANEL || target.id === MAIN) ? target : null);
    if (!host) return null;
    var note = host.querySelector(":scope > .request-error");
    if (!note) {
      note = document.createElement("p");
      note.className = "message message-error request-error";
      note.setAttribute("role", "alert");
      host.insertBefore(note, host.firstChild);
    }
    return { note: note, form: form };
  }

  function typedIn(form) {
    return Array.prototype.some.call(form.querySelectorAll(DRAFT_FIELDS), function (f) { return f.value.trim(); });
  }

  function sayFailure(event, why) {
    var found = failureNote(event.detail.elt, event.detail.target);
    if (!found) return;
    var verb = found.form ? "Not saved" : "Not loaded";
    var kept = found.form && typedIn(found.form) ? " Your text is kept." : " Try again.";
    found.note.textContent = verb + ": " + why + "." + kept;
  }

  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    sayFailure(event, "the server did not answer (" + status + ")");
  });

  document.addEventListener("htmx:sendError", function (event) {
    sayFailure(event, "the server could not be reached");
  });

  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = event.detail.elt.closest ? event.detail.elt.closest("form") : null;
    var note = form && form.querySelector(":scope > .request-error");
    if (note) note.remove();
  });

  // --- The queue: "Save these filters" -----------------------------------------------
  // The save form's hidden query is the filters applied to the page; boxes ticked
  // since (without "Apply filters") are what the user sees and means to save.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var filters = document.getElementById(form.getAttribute("data-saves-filters") || "");
    var query = form.querySelector('input[name="query"]');
    if (!filters || !query) return;
    query.value = new URLSearchParams(new FormData(filters)).toString();
  });

  // --- The queue: keyboard triage -------------------------------------------------
  // j/k move the focus from claim to claim, Enter opens (the focused link does),
  // s starts, a assigns to me, d dismisses (a dialog asks why), v gives a verdict,
  // ? lists the keys. Each key presses a control the row shows anyway, so every
  // action stays a button reachable with Tab.

  var FOCUS_KEY = "queue-focus";

  function rows() { return Array.prototype.slice.call(document.querySelectorAll("tr.claim-row")); }

  function currentRow() {
    var active = document.activeElement;
    return active && active.closest ? active.closest("tr.claim-row") : null;
  }

  function say(text) {
    var status = document.getElementById("key-status");
    if (status) status.textContent = text;
  }

  function focusRow(row) {
    if (!row) return;
    var link = row.querySelector("a.claim-link");
    link.focus();
    link.scrollIntoView({ block: "nearest" });
  }

  function move(step) {
    var all = rows();
    if (!all.length) { say("No claims on this page."); return; }
    var index = all.indexOf(currentRow());
    var next = index < 0 ? (step > 0 ? 0 : all.length - 1) : index + step;
    if (next < 0 || next >= all.length) {
      say(step > 0 ? "Last claim on this page." : "First claim on this page.");
      return;
    }
    focusRow(all[next]);
  }

  function openDialog(dialog, row) {
    var form = dialog.querySelector("form[data-dialog-form]");
    if (form && row) {
      form.reset();
      form.action = row.getAttribute("data-transition-url");
      form.querySelector('input[name="version"]').value = row.getAttribute("data-version");
      var text = dialog.querySelector("[data-claim-text]");
      if (text) text.textContent = "“" + row.querySelector("a.claim-link").textContent + "”";
      dialog.returnRow = row;
    }
    // Where the focus goes back on close: the browser returns it to the element
    // focused before, which is <body> when ? is pressed on a page just loaded.
    var before = document.activeElement;
    dialog.opener = before && before !== document.body ? before : document.getElementById("keys-button");
    dialog.showModal();
    var first = dialog.querySelector("input:not([type=hidden]), textarea, button");
    if (first) first.focus();
  }

  function act(action, row) {
    if (!row) { say("Move to a claim first (j or k)."); return; }
    if (row.getAttribute("data-can-" + action) !== "1") {
      var names = { start: "start", take: "take", dismiss: "dismiss", verdict: "give a verdict on" };
      say("You cannot " + names[action] + " this claim now.");
      return;
    }
    var control = row.querySelector('[data-action="' + action + '"]');
    if (action === "dismiss" || action === "verdict") {
      openDialog(document.getElementById(action + "-dialog"), row);
      return;
    }
    remember(row);
    control.click();
  }

  var KEYS = { s: "start", a: "take", d: "dismiss", v: "verdict" };

  document.addEventListener("keydown", function (event) {
    if (!document.querySelector("tr.claim-row, #keys-dialog")) return;
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    var target = event.target;
    if (target.closest && target.closest("input, textarea, select, [contenteditable], dialog[open]")) return;
    if (target.isContentEditable) return;
    var key = event.key;
    if (key === "?") {
      var help = document.getElementById("keys-dialog");
      if (help) { event.preventDefault(); openDialog(help, null); }
    } else if (key === "j" || key === "k") {
      event.preventDefault();
      move(key === "j" ? 1 : -1);
    } else if (KEYS[key] && document.querySelector("tr.claim-row")) {
      event.preventDefault();
      act(KEYS[key], currentRow());
    }
  });

  document.addEventListener("click", function (event) {
    var opener = event.target.closest('[data-action="dismiss"], [data-action="verdict"]');
    if (opener) {
      var dialog = document.getElementById(opener.getAttribute("data-action") + "-dialog");
      if (dialog && dialog.showModal) {
        event.preventDefault();
        openDialog(dialog, opener.closest("tr.claim-row"));
      }
      return;
    }
    if (event.target.closest("#keys-button")) {
      openDialog(document.getElementById("keys-dialog"), null);
      return;
    }
    var close = event.target.closest("dialog [data-close]");
    if (close) close.closest("dialog").close();
  });

  function stranded(dialog) {
    var active = document.activeElement;
    return !active || active === document.body || dialog.contains(active);
  }

  // Back to the row a dialog was opened from, else to its opener; the dialog's
  // own form reloads the page.
  document.addEventListener("close", function (event) {
    var dialog = event.target;
    if (dialog.returnRow) { focusRow(dialog.returnRow); dialog.returnRow = null; }
    // Only if the focus is still in the closed dialog (on its way to <body>): the
    // close event comes after the keys that follow the Escape (j may have moved
    // on already), and the browser gives any other earlier focus back itself.
    else if (dialog.opener && dialog.opener.isConnected && !dialog.opener.hidden && stranded(dialog)) {
      dialog.opener.focus();
    }
    dialog.opener = null;
  }, true);

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var dialog = form.closest("dialog");
    var row = dialog && dialog.returnRow;
    if (row) remember(row);
  });

  // After an action the page reloads: focus the claim acted on, or the one now
  // in its place, so triage goes on from there.
  function remember(row) {
    var value = row.getAttribute("data-claim") + ":" + rows().indexOf(row);
    try { sessionStorage.setItem(FOCUS_KEY, value); } catch (e) { /* storage off: no memory */ }
  }

  function restoreFocus() {
    var saved = null;
    try { saved = sessionStorage.getItem(FOCUS_KEY); sessionStorage.removeItem(FOCUS_KEY); } catch (e) { return; }
    if (!saved) return;
    var parts = saved.split(":");
    var all = rows();
    var row = document.querySelector('tr.claim-row[data-claim="' + parts[0].replace(/[^0-9]/g, "") + '"]');
    var index = Math.min(parseInt(parts[1], 10) || 0, all.length - 1);
    focusRow(row || all[index]);
  }

  function setUpQueue() {
    var keys = document.getElementById("keys-button");
    if (keys) keys.hidden = false;
    // Small screens: the filters fold away so the first claim is on the first screen.
    var tools = document.getElementById("queue-tools");
    if (tools && !tools.hasAttribute("data-keep-open") && window.matchMedia("(max-width: 760px)").matches) tools.open = false;
    restoreFocus();
  }

  // Back loads the page again (no htmx snapshots), and "Show the rest" fetched
  // its parts into this copy only: the reader came back to the first part, far
  // above where they were. So once a part is loaded the address says how many
  // claims are shown (?shown=N, replaced in place, no new history entry), also on
  // the addresses a claim opened beside the text pushes; the article page renders
  // that many, and the browser restores the scroll position in the same text.
  var expanded = /[?&]shown=\d/.test(window.location.search);

  function keepShown() {
    var items = document.getElementById("claim-items");
    if (!expanded || !items) return;
    var url = new URL(window.location.href);
    url.searchParams.set("shown", String(items.children.length));
    if (url.href !== window.location.href) history.replaceState(history.state, "", url.href);
  }

  // After the settle: the part's list items come out of band in the same answer.
  document.addEventListener("htmx:afterSettle", keepShown);
  document.addEventListener("htmx:pushedIntoHistory", keepShown);

  document.addEventListener("htmx:load", function (event) {
    var elt = event.detail.elt;
    enhance(elt);
    if (elt.matches && elt.matches(".article-text-part")) {
      expanded = true;
      continueReading(elt);
    }
  });
  document.addEventListener("DOMContentLoaded", setUpQueue);
  document.addEventListener("DOMContentLoaded", function () { enhance(document); });
})();
