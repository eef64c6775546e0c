// Small progressive enhancements; every page works without JavaScript.
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var target = event.target.closest("[data-print]");
    if (target) {
      event.preventDefault();
      window.print();
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
