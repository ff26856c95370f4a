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

  function setUpForm(form) {
    restoreDraft(form);
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
    return t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable);
  }

  function boardKeys(e) {
    var cards = Array.prototype.slice.call(document.querySelectorAll(".card-link"));
    var at = cards.indexOf(document.activeElement);
    if (e.key === "j" || e.key === "k") {
      var next = cards[e.key === "j" ? at + 1 : Math.max(at - 1, 0)] || cards[0];
      if (next) { next.focus(); e.preventDefault(); }
    } else if (e.key === "o" && at >= 0) {
      cards[at].click();
    } else if (e.key === "f") {
      var first = document.querySelector("#filters select");
      if (first) { first.focus(); e.preventDefault(); }
    }
  }

  document.addEventListener("keydown", function (e) {
    var help = document.getElementById("help");
    if (e.key === "?" && !typing(e)) {
      e.preventDefault();
      if (help.open) { help.close(); } else { help.showModal(); }
      return;
    }
    var mode = document.body.dataset.shortcuts;
    if (mode === "form" && e.altKey) {
      var target = { n: "narrative", a: "street" }[e.key.toLowerCase()];
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
