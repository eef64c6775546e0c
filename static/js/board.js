// Display board (叫号显示屏): speaks each new call in Putonghua and repeats it in a live region
// for screen readers. htmx refreshes the board; every call carries the id of its event, so a
// call (or a recall) is announced exactly once, and the calls already shown when the screen
// starts are not. Browsers let a page speak only after a user gesture: a member of staff
// switches speech on once with the button and the screen remembers it (localStorage).
(function () {
  "use strict";

  var STORAGE_KEY = "servicehall.board.speech";
  var DIGITS = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];

  var board = document.querySelector("[data-board]");
  if (!board) {
    return;
  }
  var button = document.querySelector("[data-speech-toggle]");
  var announcer = document.getElementById("board-announcer");
  var speechTemplate = board.getAttribute("data-speech-template") || "";
  var displayTemplate = board.getAttribute("data-display-template") || speechTemplate;
  var synth = "speechSynthesis" in window ? window.speechSynthesis : null;
  var enabled = false;
  var lastSeen = 0;

  function calls() {
    var nodes = document.querySelectorAll("#board-live [data-call]");
    return Array.prototype.map.call(nodes, function (node) {
      return {
        event: parseInt(node.getAttribute("data-event"), 10) || 0,
        number: node.getAttribute("data-number") || "",
        window: node.getAttribute("data-window") || ""
      };
    });
  }

  // "A012" is read "A 零 一 二": the letter, then each digit on its own, as halls announce it.
  function spokenNumber(number) {
    return number.split("").map(function (character) {
      return /[0-9]/.test(character) ? DIGITS[Number(character)] : character;
    }).join(" ");
  }

  function fill(template, number, windowNumber) {
    return template.replace("{number}", number).replace("{window}", windowNumber);
  }

  function chineseVoice() {
    var voices = synth.getVoices();
    for (var i = 0; i < voices.length; i += 1) {
      if (/^zh[-_]CN/i.test(voices[i].lang)) {
        return voices[i];
      }
    }
    return null;
  }

  function speak(text) {
    if (!enabled || !synth || !text) {
      return;
    }
    var utterance = new window.SpeechSynthesisUtterance(text);
    utterance.lang = "zh-CN";
    utterance.rate = 0.9;
    var voice = chineseVoice();
    if (voice) {
      utterance.voice = voice;
    }
    utterance.onerror = function (event) {
      // The browser refused to speak without a gesture (after a restart): ask again.
      if (event.error === "not-allowed") {
        setEnabled(false, false);
      }
    };
    synth.speak(utterance);
  }

  function remember(on) {
    try {
      window.localStorage.setItem(STORAGE_KEY, on ? "on" : "off");
    } catch (error) {
      // Storage may be disabled on a locked-down screen; speech still works until reload.
    }
  }

  function remembered() {
    try {
      return window.localStorage.getItem(STORAGE_KEY) === "on";
    } catch (error) {
      return false;
    }
  }

  function setEnabled(on, store) {
    enabled = on;
    if (button) {
      button.textContent = button.getAttribute(on ? "data-label-on" : "data-label-off");
    }
    if (store) {
      remember(on);
    }
    if (!on && synth) {
      synth.cancel();
    }
  }

  function announceNew() {
    var fresh = calls().filter(function (call) {
      return call.event > lastSeen;
    });
    fresh.sort(function (a, b) {
      return a.event - b.event;
    });
    fresh.forEach(function (call) {
      lastSeen = Math.max(lastSeen, call.event);
      if (!call.window) {
        return;
      }
      if (announcer) {
        announcer.textContent = fill(displayTemplate, call.number, call.window);
      }
      speak(fill(speechTemplate, spokenNumber(call.number), call.window));
    });
  }

  // What is on the board when it starts has been announced already.
  calls().forEach(function (call) {
    lastSeen = Math.max(lastSeen, call.event);
  });

  if (synth && button) {
    button.hidden = false;
    setEnabled(remembered(), false);
    button.addEventListener("click", function () {
      setEnabled(!enabled, true);
      if (enabled) {
        // Speaking inside the click is what unlocks speech for the calls that follow.
        speak(board.getAttribute("data-speech-ready") || "");
      }
    });
  }

  document.body.addEventListener("htmx:afterSettle", function (event) {
    // After an outerHTML swap the event fires on the new board, which has the same id.
    if (event.target && event.target.id === "board-live") {
      announceNew();
    }
  });
})();

// Paging (issue 8): a wall screen never scrolls, so every queue and every window must be seen
// by turning pages. Each [data-board-pager] section shows as many of its [data-page-item]s as fit
// its [data-page-box] and turns to the next page every data-page-seconds, with a "1/2" indicator;
// [data-board-fit] boxes (the earlier calls) just drop what does not fit. The layout is measured
// again after every htmx swap (before the browser paints) and on resize; the page shown survives
// a swap, so a busy hall whose board changes every few seconds still turns its pages.
(function () {
  "use strict";

  var board = document.querySelector("[data-board]");
  if (!board) {
    return;
  }
  var root = document.documentElement;
  var landscape = window.matchMedia("(min-aspect-ratio: 1/1)");
  var seconds = parseFloat(board.getAttribute("data-page-seconds")) || 10;
  var pages = {}; // pager name -> list of [start, end) index ranges
  var current = {}; // pager name -> page shown

  function toArray(list) {
    return Array.prototype.slice.call(list);
  }

  function pagers() {
    return toArray(document.querySelectorAll("#board-live [data-board-pager]"));
  }

  function itemsOf(pager) {
    return toArray(pager.querySelectorAll("[data-page-item]"));
  }

  // Items in order while they fit the box (at least one, so a page is never empty).
  function fitting(box, items, start) {
    var limit = box.getBoundingClientRect().bottom + 0.5;
    var end = start + 1;
    while (end < items.length && items[end].getBoundingClientRect().bottom <= limit) {
      end += 1;
    }
    return end;
  }

  function paginate(pager) {
    var box = pager.querySelector("[data-page-box]");
    var items = itemsOf(pager);
    var ranges = [];
    var start = 0;
    while (start < items.length) {
      items.forEach(function (item, index) {
        item.hidden = index < start;
      });
      var end = box ? fitting(box, items, start) : items.length;
      ranges.push([start, end]);
      start = end;
    }
    return ranges.length ? ranges : [[0, 0]];
  }

  function show(pager) {
    var name = pager.getAttribute("data-board-pager");
    var ranges = pages[name] || [[0, Infinity]];
    var page = Math.min(current[name] || 0, ranges.length - 1);
    current[name] = page;
    itemsOf(pager).forEach(function (item, index) {
      item.hidden = index < ranges[page][0] || index >= ranges[page][1];
    });
    var indicator = pager.querySelector("[data-page-indicator]");
    if (indicator) {
      indicator.textContent = page + 1 + "/" + ranges.length;
      indicator.hidden = ranges.length < 2;
    }
  }

  function trim(box) {
    var items = toArray(box.querySelectorAll("li"));
    items.forEach(function (item) {
      item.hidden = false;
    });
    var end = items.length ? fitting(box, items, 0) : 0;
    // Unlike a page, a box of earlier calls may be left empty.
    if (items.length && items[0].getBoundingClientRect().bottom > box.getBoundingClientRect().bottom + 0.5) {
      end = 0;
    }
    items.forEach(function (item, index) {
      item.hidden = index >= end;
    });
  }

  function layout() {
    var paged = landscape.matches;
    root.classList.toggle("board-paged", paged);
    var all = pagers();
    if (!paged) {
      pages = {};
      all.forEach(show);
      return;
    }
    // Windows first, measured and then shown at their first (fullest) page: the queues below
    // are measured against the tallest the windows get, so no later page of windows can push
    // a queue off the screen.
    all.forEach(function (pager) {
      pages[pager.getAttribute("data-board-pager")] = paginate(pager);
      var name = pager.getAttribute("data-board-pager");
      var keep = current[name];
      current[name] = 0;
      show(pager);
      current[name] = keep;
    });
    all.forEach(show);
    toArray(document.querySelectorAll("#board-live [data-board-fit]")).forEach(trim);
  }

  function turn() {
    pagers().forEach(function (pager) {
      var name = pager.getAttribute("data-board-pager");
      var count = (pages[name] || []).length;
      if (count > 1) {
        current[name] = ((current[name] || 0) + 1) % count;
        show(pager);
      }
    });
  }

  layout();
  window.setInterval(turn, seconds * 1000);
  window.addEventListener("resize", layout);
  document.body.addEventListener("htmx:afterSwap", function (event) {
    if (event.target && event.target.id === "board-live") {
      layout();
    }
  });
  if (document.fonts && document.fonts.ready) {
    document.fonts.ready.then(layout);
  }
})();
