// Supervisors' dashboard: the live regions poll with htmx (hx-trigger "every 15s"). This file
// only holds polls back when they would do harm; every page works without it.
(function () {
  "use strict";

  // Someone is writing in an alert's form (focus inside, or text typed and not yet sent):
  // replacing the region now would throw their words away.
  function inUse(region) {
    if (region.contains(document.activeElement)) return true;
    var fields = region.querySelectorAll("textarea, input[type=text]");
    for (var i = 0; i < fields.length; i++) {
      if (fields[i].value !== fields[i].defaultValue) return true;
    }
    return false;
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    var region = event.detail && event.detail.elt;
    if (!region || !region.hasAttribute || !region.hasAttribute("data-poll")) return;
    // A hidden tab does not need fresh figures; the poll resumes (and refreshes at once, via the
    // "visibilitychange" trigger) when it is shown again.
    if (document.hidden || (region.hasAttribute("data-poll-guard") && inUse(region))) {
      event.preventDefault();
    }
  });
})();
