// Small progressive enhancements; every page works without JavaScript.
(function () {
  "use strict";

  // After a refused submit the page comes back with an error summary above the form: take
  // keyboard and screen-reader users to it (tabindex="-1"), rather than leaving them at the top
  // of the page to find it (templates/_error_summary.html).
  var summary = document.querySelector("[data-error-summary]");
  if (summary) {
    summary.focus();
  }

  // A poll answered 204 ("nothing you show has changed") confirms what the region shows as of
  // the server's time: the time it says the data was updated follows (hall queue page).
  document.addEventListener("htmx:afterRequest", function (event) {
    var xhr = event.detail && event.detail.xhr;
    var region = event.detail && event.detail.elt;
    if (!xhr || xhr.status !== 204 || !region || !region.querySelector) return;
    var shown = region.querySelector("[data-poll-checked]");
    var served = new Date(xhr.getResponseHeader("Date") || Date.now());
    if (!shown || isNaN(served.getTime())) return;
    shown.textContent = served.toLocaleTimeString("zh-CN", { timeZone: "Asia/Shanghai", hour12: false });
  });

  document.addEventListener("click", function (event) {
    var target = event.target.closest("[data-print]");
    if (target) {
      event.preventDefault();
      window.print();
    }
  });

  // After an action swaps part of the page (the window console's call, finish, transfer…, the
  // supervisors' window and board controls), the button pressed is gone and focus would fall to
  // <body>: move it to what the answer says instead. In the swapped region, the first of: a
  // refusal (role=alert), an outcome message (.message or .notice with role=status), an element
  // marked data-focus-after-swap, the first heading; made focusable by script only
  // (tabindex="-1"). Only for submissions (polls are GETs and must not move anyone's focus), and
  // only when focus was actually lost.
  var FOCUS_AFTER_SWAP = [
    "[role=alert]",
    ".message[role=status], .notice[role=status]",
    "[data-focus-after-swap]",
    "h1, h2, h3"
  ];
  document.addEventListener("htmx:afterSwap", function (event) {
    var region = event.target;
    var config = event.detail && event.detail.requestConfig;
    if (!region || !region.querySelector || !region.isConnected) return;
    if (!config || !config.verb || config.verb.toLowerCase() === "get") return;
    var active = document.activeElement;
    if (active && active !== document.body && active.isConnected) return;
    for (var i = 0; i < FOCUS_AFTER_SWAP.length; i++) {
      var selector = FOCUS_AFTER_SWAP[i];
      var found = region.matches(selector) ? region : region.querySelector(selector);
      if (found) {
        if (!found.hasAttribute("tabindex")) found.setAttribute("tabindex", "-1");
        found.focus();
        return;
      }
    }
  });

  // After htmx replaces the guide results, tell screen-reader users how many were found:
  // the count paragraph is a role="status" live region inside the swapped fragment.
  document.addEventListener("htmx:afterSwap", function (event) {
    var status = event.detail.target && event.detail.target.querySelector
      ? event.detail.target.querySelector("[role=status]")
      : null;
    if (status) {
      status.setAttribute("aria-live", "polite");
    }
  });
})();
