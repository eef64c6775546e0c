// Self-service kiosk (自助取号机): back to the start after a while without a touch or a key, so
// the next person never finds the last one's ID number, choices or slip. The layout
// (templates/queueing/public/kiosk_base.html) sets the timings on <body>:
//   data-kiosk-home                 where "the start" is (the hall's kiosk page, ?reset=1: back in the
//                                   hall's language, whatever the last person switched to)
//   data-kiosk-idle-seconds         idle time before going back (60)
//   data-kiosk-warn-seconds         the last seconds of it show "still there?" with a button (15)
//   data-kiosk-after-print-seconds  going back this soon after a slip is printed (5)
//   data-kiosk-start                the untouched start page: refreshed silently, no warning
// Any touch, click, key or typing starts the count again. Without JavaScript the kiosk works;
// it just does not go back by itself.
(function () {
  "use strict";

  var body = document.body;
  var home = body.getAttribute("data-kiosk-home");
  if (!home) {
    return;
  }

  function seconds(name, fallback) {
    var value = parseFloat(body.getAttribute(name));
    return value > 0 ? value * 1000 : fallback * 1000;
  }

  var idle = seconds("data-kiosk-idle-seconds", 60);
  var warn = Math.min(seconds("data-kiosk-warn-seconds", 15), idle);
  var afterPrint = seconds("data-kiosk-after-print-seconds", 5);
  var untouched = body.hasAttribute("data-kiosk-start");
  var warning = document.querySelector("[data-kiosk-idle-warning]");
  var message = warning ? warning.querySelector("[role=alert]") : null;
  var countdown = document.querySelector("[data-kiosk-countdown]");
  var stay = document.querySelector("[data-kiosk-stay]");
  var warnTimer = null;
  var homeTimer = null;
  var tickTimer = null;
  var deadline = 0;

  function goHome() {
    // replace(): the back button must not lead to the last person's page either.
    window.location.replace(home);
  }

  function tick() {
    if (countdown) {
      countdown.textContent = String(Math.max(0, Math.ceil((deadline - Date.now()) / 1000)));
    }
  }

  function hideWarning() {
    window.clearInterval(tickTimer);
    tickTimer = null;
    if (warning && !warning.hidden) {
      warning.hidden = true;
    }
  }

  function showWarning() {
    if (!warning) {
      return;
    }
    warning.hidden = false;
    if (message) {
      // Set again so screen readers announce the alert now that it is shown.
      var text = message.textContent;
      message.textContent = "";
      message.textContent = text;
    }
    tick();
    tickTimer = window.setInterval(tick, 1000);
    if (stay) {
      stay.focus();
    }
  }

  function arm(delay, quietly) {
    window.clearTimeout(warnTimer);
    window.clearTimeout(homeTimer);
    hideWarning();
    deadline = Date.now() + delay;
    if (!quietly && delay > warn) {
      warnTimer = window.setTimeout(showWarning, delay - warn);
    }
    homeTimer = window.setTimeout(goHome, delay);
  }

  function activity() {
    untouched = false;
    arm(idle, false);
  }

  ["pointerdown", "touchstart", "keydown", "input", "wheel"].forEach(function (name) {
    document.addEventListener(name, activity, { capture: true, passive: true });
  });
  if (stay) {
    stay.addEventListener("click", activity);
  }
  // The slip is printed: the person has what they came for.
  window.addEventListener("afterprint", function () {
    arm(afterPrint, true);
  });
  // A page brought back from the browser's cache starts its count again.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      arm(idle, untouched);
    }
  });

  // What the kiosk wants read first (the warning that no window serves a queue).
  var focus = document.querySelector("[data-kiosk-focus]");
  if (focus) {
    focus.focus();
  }

  arm(idle, untouched);
})();
