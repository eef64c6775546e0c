// The window console: keyboard shortcuts, and every action's outcome shown in the panel.
(function () {
  "use strict";

  // A key presses the button marked data-shortcut.
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    var target = event.target;
    if (target && (target.isContentEditable || /^(INPUT|SELECT|TEXTAREA)$/.test(target.tagName))) return;
    var button = document.querySelector('[data-shortcut="' + event.key.toLowerCase() + '"]');
    if (button && button.disabled) {
      // A button waiting (过号 within the wait after the call) says why, rather than nothing.
      var hint = document.getElementById(button.getAttribute("aria-describedby") || "");
      if (hint) {
        event.preventDefault();
        say(hint.textContent.trim());
      }
      return;
    }
    if (button) {
      event.preventDefault();
      // A panel swapped in a moment ago may not be wired up by htmx yet: do it now, so the
      // action goes through htmx (and without htmx the form simply posts).
      if (window.htmx && button.form) window.htmx.process(button.form);
      button.click();
    }
  });

  // The server marks the answers that carry the panel with the outcome of an action
  // (queueing/console.py, PANEL_HEADER): show them whatever their status. The site's htmx
  // config swaps only 2xx, 400, 409 and 429, and a 403 ("not signed in at this window") or a
  // 404 ("ticket not found") left unswapped would look as if nothing happened.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;
    if (!event.detail.shouldSwap && xhr && xhr.getResponseHeader("X-Console-Panel")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // A note at the top of the panel, in place of the outcome of the previous action, which no
  // longer holds: an error (role alert) or a note answering a key pressed (role status, polite:
  // the clerk asked nothing of the server).
  function show(text, isError) {
    var panel = document.getElementById("console-panel");
    if (!panel || !text) return;
    clearOutcome();
    var message = document.createElement("p");
    message.className = isError ? "message error console-transient" : "message console-transient";
    message.setAttribute("role", isError ? "alert" : "status");
    message.textContent = text;
    panel.insertBefore(message, panel.firstChild);
  }
  // Anything else that fails (a stale CSRF token, a server error, the network) is said in the
  // panel's status region, in the words the page carries (data-* on the heading, translated).
  function report(kind) {
    var texts = document.querySelector("[data-console-error]");
    if (!texts) return;
    show(texts.getAttribute(kind === "offline" ? "data-console-offline" : "data-console-error"), true);
  }
  function say(text) { show(text, false); }

  // A new submission starts: the outcome of the previous one no longer holds. Also when the
  // browser's own validation stops the form before any request (an empty required field, the
  // "invalid" event, which does not bubble), else an old refusal ("该预约…已取消") would stay on
  // screen as if it answered this attempt. Polls of the queue are no submission.
  function clearOutcome() {
    var panel = document.getElementById("console-panel");
    if (!panel) return;
    panel.querySelectorAll(":scope > .message").forEach(function (old) { old.remove(); });
  }
  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail && event.detail.elt;
    if (elt && elt.tagName === "FORM" && elt.closest("#console-panel")) clearOutcome();
  });
  document.addEventListener("invalid", function (event) {
    if (event.target && event.target.closest && event.target.closest("#console-panel")) clearOutcome();
  }, true);
  document.addEventListener("htmx:responseError", function () { report("error"); });
  document.addEventListener("htmx:sendError", function () { report("offline"); });
  document.addEventListener("htmx:afterSwap", function () {
    var old = document.querySelector("#console-panel .console-transient");
    if (old) old.remove();
  });

  // A button the server rendered disabled for a while (过号 within the wait after the call,
  // data-enable-in: seconds from the page's rendering) is enabled when the wait ends, and the
  // hint saying why it was disabled goes (data-enable-hint: its id). The server refuses an early
  // action all the same; counted from the page, not the browser's clock, which may be off.
  function enableLater(root) {
    (root || document).querySelectorAll("button[data-enable-in]").forEach(function (button) {
      if (button.dataset.enableTimer) return;
      var seconds = parseInt(button.getAttribute("data-enable-in"), 10);
      if (!(seconds >= 0)) return;
      button.dataset.enableTimer = "1";
      window.setTimeout(function () {
        if (!button.isConnected) return;
        button.disabled = false;
        button.removeAttribute("aria-describedby");
        var hint = document.getElementById(button.getAttribute("data-enable-hint") || "");
        if (hint) hint.remove();
      }, seconds * 1000);
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { enableLater(document); });
  } else {
    enableLater(document);
  }
  document.addEventListener("htmx:afterSwap", function () { enableLater(document); });
})();
