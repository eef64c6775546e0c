// Supervisors' dashboard: the live regions poll with htmx (hx-trigger "every 15s"). This file
// only holds polls back when they would do harm; every page works without it.
(function () {
  "use strict";

  // Someone is using a form of the region (an alert's cause, a window's clerk, the board
  // message): focus inside, or something typed or chosen and not yet sent:
  // replacing the region now would throw their words away.
  function inUse(region) {
    if (region.contains(document.activeElement)) return true;
    // A refusal or a form with mistakes stays until the supervisor acts on it.
    if (region.querySelector("[data-poll-hold]")) return true;
    var fields = region.querySelectorAll("textarea, input[type=text]");
    for (var i = 0; i < fields.length; i++) {
      if (fields[i].value !== fields[i].defaultValue) return true;
    }
    // A clerk chosen for a window, or a duration chosen for the board message, not yet sent.
    var options = region.querySelectorAll("select option");
    for (var j = 0; j < options.length; j++) {
      if (options[j].selected !== options[j].defaultSelected) return true;
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
