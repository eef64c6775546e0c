// Supervisors' dashboard: the live regions poll with htmx (hx-trigger "every 15s"). This file
// only holds polls back when they would do harm; every page works without it.
(function () {
  "use strict";

  // Someone is using a form of the region (an alert's cause, a window's clerk, the board
  // message): focus inside, or something typed or chosen and not yet sent:
  // replacing the region now would throw their words away.
  function inUse(region) {
    // (Not a message or heading focused by portal.js after an action: read, not being edited.)
    var active = document.activeElement;
    if (region.contains(active) && active.getAttribute("tabindex") !== "-1") return true;
    // A refusal or a form with mistakes stays until the supervisor acts on it.
    if (region.querySelector("[data-poll-hold]")) return true;
    var fields = region.querySelectorAll("textarea, input[type=text]");
    for (var i = 0; i < fields.length; i++) {
      if (fields[i].value !== fields[i].defaultValue) return true;
    }
    // A clerk chosen for a window, or a duration chosen for the board message, not yet sent.
    var selects = region.querySelectorAll("select");
    for (var j = 0; j < selects.length; j++) {
      if (changed(selects[j])) return true;
    }
    return false;
  }

  // Whether a select shows something other than what the page gave it. A single select with no
  // option marked "selected" shows its first option: that is its default too (comparing each
  // option's selected with defaultSelected would call it changed, and hold the poll for ever).
  function changed(select) {
    var options = select.options;
    if (select.multiple) {
      for (var i = 0; i < options.length; i++) {
        if (options[i].selected !== options[i].defaultSelected) return true;
      }
      return false;
    }
    var initial = -1;
    for (var k = 0; k < options.length; k++) {
      if (options[k].defaultSelected) initial = k;
    }
    if (initial === -1) {
      for (var m = 0; m < options.length; m++) {
        if (!options[m].disabled) { initial = m; break; }
      }
    }
    return select.selectedIndex !== initial;
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
