// Qorgau console: behaviour for every page. No inline scripts (CSP); htmx does the requests.
(function () {
  "use strict";
  var csrf = document.querySelector('meta[name="csrf-token"]');

  document.addEventListener("htmx:configRequest", function (e) {
    if (csrf) { e.detail.headers["X-CSRF-Token"] = csrf.content; }
  });

  // Live parts: the server says "changed" over SSE; each part fetches itself again.
  function startLive() {
    var parts = document.querySelectorAll("[data-live]");
    if (!parts.length || !window.EventSource) { return; }
    var source = new EventSource("/events");
    source.addEventListener("changed", function () {
      parts.forEach(function (el) {
        var url = el.dataset.live === "here" ? location.pathname + location.search : el.dataset.live;
        htmx.ajax("GET", url, { target: el, swap: "innerHTML", headers: { "X-Console-Auto": "1" } });
      });
    });
  }

  // Countdowns to acknowledgement deadlines.
  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-deadline]").forEach(function (el) {
      var left = Math.round((Date.parse(el.dataset.deadline) - now) / 1000);
      var sign = left < 0 ? "-" : "";
      var a = Math.abs(left);
      el.textContent = sign + Math.floor(a / 60) + ":" + String(a % 60).padStart(2, "0");
      el.classList.toggle("late", left < 0);
    });
  }

  // The new-call draft lives in this tab's sessionStorage until the report is sent.
  function draftKey(form) { return "qorgau-draft:" + form.dataset.draft; }
  function saveDraft(form) {
    var values = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.name === "csrf" || el.type === "submit") { return; }
      values[el.name] = el.type === "checkbox" ? el.checked : el.value;
    });
    sessionStorage.setItem(draftKey(form), JSON.stringify(values));
  }
  function restoreDraft(form) {
    if (form.querySelector('[aria-invalid="true"]')) { saveDraft(form); return; }
    var raw = sessionStorage.getItem(draftKey(form));
    if (!raw) { return; }
    var values = JSON.parse(raw);
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!(el.name in values) || el.name === "csrf") { return; }
      if (el.type === "checkbox") { el.checked = !!values[el.name]; } else { el.value = values[el.name]; }
    });
  }

  function focusables(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      return !el.disabled && el.type !== "hidden" && el.offsetParent !== null;
    });
  }

  // Inline checks: a field the operator leaves is checked by the server's own rules (the
  // ones intake applies), and its message shown next to it before anything is sent.
  function showError(form, name, message) {
    var slot = document.getElementById(name + "-error");
    var field = form.elements[name];
    if (!slot || !field) { return; }
    slot.textContent = message;
    slot.hidden = !message;
    if (message) { field.setAttribute("aria-invalid", "true"); } else { field.removeAttribute("aria-invalid"); }
  }
  function setUpChecks(form) {
    var touched = {};
    var pending = null;
    function check() {
      var body = new FormData(form);
      body.append("fields", Object.keys(touched).join(","));
      fetch(form.dataset.check, { method: "POST", body: body, credentials: "same-origin",
                                   headers: { "X-CSRF-Token": csrf ? csrf.content : "" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (answer) {
          if (!answer) { return; }
          Object.keys(answer.errors).forEach(function (name) { showError(form, name, answer.errors[name]); });
        })
        .catch(function () { /* offline: the check runs again on sending */ });
    }
    form.addEventListener("change", function (e) {
      var name = e.target.name;
      if (name && document.getElementById(name + "-error")) { touched[name] = true; }
      if (name === "priority" && form.elements.priority_reason.value) { touched.priority_reason = true; }
      if (!Object.keys(touched).length) { return; }
      clearTimeout(pending);
      pending = setTimeout(check, 50);
    });
  }

  function setUpForm(form) {
    restoreDraft(form);
    if (form.dataset.check) { setUpChecks(form); }
    form.addEventListener("input", function () { saveDraft(form); });
    form.addEventListener("change", function () { saveDraft(form); });
    form.addEventListener("keydown", function (e) {
      if (e.key !== "Enter") { return; }
      if (e.ctrlKey || e.metaKey) { e.preventDefault(); form.requestSubmit(); return; }
      var t = e.target;
      if (t.tagName === "TEXTAREA" || t.tagName === "BUTTON" || t.tagName === "SUMMARY") { return; }
      e.preventDefault();  // Enter never sends by accident: it moves on
      var all = focusables(form);
      var next = all[all.indexOf(t) + 1];
      if (next) { next.focus(); }
    });
  }

  function typing(e) {
    var t = e.target;
    var box = t && t.tagName === "INPUT" && /^(checkbox|radio|button|submit)$/.test(t.type);
    return t && !box && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable);
  }

  // Shortcuts go by the key's place (e.code), so they work with a Russian or Kazakh layout.
  function boardKeys(e) {
    var cards = Array.prototype.slice.call(document.querySelectorAll(".card-link"));
    var at = cards.indexOf(document.activeElement);
    if (e.code === "KeyJ" || e.code === "KeyK") {
      var next = cards[e.code === "KeyJ" ? at + 1 : Math.max(at - 1, 0)] || cards[0];
      if (next) { next.focus(); e.preventDefault(); }
    } else if (e.code === "KeyO" && at >= 0) {
      cards[at].click();
    } else if (e.code === "KeyX" && at >= 0) {
      var box = cards[at].closest(".card-item").querySelector("input[type=checkbox]");
      if (box) { box.checked = !box.checked; box.dispatchEvent(new Event("change", { bubbles: true })); e.preventDefault(); }
    } else if (e.code === "KeyF") {
      var first = document.querySelector("#filters select");
      if (first) { first.focus(); e.preventDefault(); }
    } else if (e.code === "KeyB") {
      var bulk = document.getElementById("bulk-officer");
      if (bulk) { bulk.focus(); e.preventDefault(); }
    }
  }

  // The board's selection survives its live refreshes (the cards are drawn again).
  var selected = {};
  document.addEventListener("change", function (e) {
    if (e.target.matches && e.target.matches("input[name=incident_ids]")) {
      if (e.target.checked) { selected[e.target.value] = true; } else { delete selected[e.target.value]; }
      var count = document.getElementById("bulk-count");
      if (count) { count.textContent = String(Object.keys(selected).length); }
    }
  });
  // ...and so does the keyboard focus on a card (J/K would otherwise start over).
  var focusedCard = null;
  document.addEventListener("htmx:beforeSwap", function () {
    var card = document.activeElement && document.activeElement.closest("[data-incident]");
    focusedCard = card ? card.dataset.incident : null;
  });
  document.addEventListener("htmx:afterSwap", function () {
    if (focusedCard) {
      var again = document.querySelector('[data-incident="' + focusedCard + '"] .card-link');
      if (again) { again.focus(); }
      focusedCard = null;
    }
    var still = {};
    document.querySelectorAll("input[name=incident_ids]").forEach(function (box) {
      box.checked = !!selected[box.value];
      if (box.checked) { still[box.value] = true; }
    });
    selected = still;  // a card that left the board (or the filter) is no longer selected
    tick();  // countdowns at once, not a second later
    var count = document.getElementById("bulk-count");
    if (count) { count.textContent = String(Object.keys(selected).length); }
  });

  document.addEventListener("keydown", function (e) {
    var help = document.getElementById("help");
    if (e.key === "?" && !typing(e)) {
      e.preventDefault();
      if (help.open) { help.close(); } else { help.showModal(); }
      return;
    }
    var mode = document.body.dataset.shortcuts;
    if (mode === "form" && e.altKey) {
      var target = { KeyN: "narrative", KeyA: "street", KeyR: "q-danger_now", KeyC: "caller_phone" }[e.code];
      if (target) { e.preventDefault(); document.getElementById(target).focus(); }
    } else if (mode === "board" && !typing(e) && !e.ctrlKey && !e.altKey && !e.metaKey) {
      boardKeys(e);
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-clear-draft]").forEach(function (el) {
      sessionStorage.removeItem("qorgau-draft:" + el.dataset.clearDraft);
    });
    document.querySelectorAll("[data-clear-draft-on-submit]").forEach(function (form) {
      form.addEventListener("submit", function () { sessionStorage.clear(); });
    });
    document.querySelectorAll("form[data-draft]").forEach(setUpForm);
    document.querySelectorAll("[data-help-open]").forEach(function (b) {
      b.addEventListener("click", function () { document.getElementById("help").showModal(); });
    });
    startLive();
    tick();
    setInterval(tick, 1000);
  });
})();
