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
