// Ticket page: when the number is called, say so in the tab title (a phone in a pocket or a
// tab in the background still shows it) and vibrate once if the person has touched the page.
// The page itself, and its updates, work without this file.
(function () {
  "use strict";

  var baseTitle = document.title;
  var lastState = null;

  function update() {
    var card = document.getElementById("ticket-status");
    if (!card) {
      return;
    }
    var state = card.getAttribute("data-ticket-state");
    var call = card.getAttribute("data-call-text");
    document.title = state === "called" && call ? call + " · " + baseTitle : baseTitle;
    var activated = navigator.userActivation ? navigator.userActivation.hasBeenActive : false;
    if (state === "called" && lastState !== null && lastState !== "called" && activated && navigator.vibrate) {
      navigator.vibrate([400, 200, 400]);
    }
    lastState = state;
  }

  update();
  document.body.addEventListener("htmx:afterSettle", update);
})();
