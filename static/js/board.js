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
