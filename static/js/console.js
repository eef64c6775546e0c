// Keyboard shortcuts of the window console: a key presses the button marked data-shortcut.
(function () {
  "use strict";
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    var target = event.target;
    if (target && (target.isContentEditable || /^(INPUT|SELECT|TEXTAREA)$/.test(target.tagName))) return;
    var button = document.querySelector('[data-shortcut="' + event.key.toLowerCase() + '"]');
    if (button && !button.disabled) {
      event.preventDefault();
      // A panel swapped in a moment ago may not be wired up by htmx yet: do it now, so the
      // action goes through htmx (and without htmx the form simply posts).
      if (window.htmx && button.form) window.htmx.process(button.form);
      button.click();
    }
  });
})();
