(function (side) {
  /* SageNotes MCQ: tap options on the front, see the picks graded on the back.
     Only an enhancement: the card is complete without it. Picks travel from front to back
     in a global (Anki desktop keeps one page) and in sessionStorage (clients that load a
     new page for the answer); either may be missing. No template braces may appear here. */
  "use strict";
  var KEY = "sagenotes-mcq-picks";
  var list = document.querySelector(side === "front" ? ".mcq-front ol.options" : ".mcq-back ol.options");
  if (!list || !list.querySelectorAll) { return; }
  var items = list.querySelectorAll("li.opt");

  function letter(li) { return li.getAttribute("data-letter") || ""; }

  function signature() {
    var text = "";
    for (var i = 0; i < items.length; i++) {
      var part = items[i].querySelector(".text") || items[i];
      text += letter(items[i]) + "|" + part.textContent + "\n";
    }
    var hash = 5381;
    for (var j = 0; j < text.length; j++) { hash = ((hash * 33) ^ text.charCodeAt(j)) >>> 0; }
    return hash + ":" + items.length;
  }

  function save(state) {
    window.sagenotesMcqPicks = state;
    try {
      if (state) { window.sessionStorage.setItem(KEY, JSON.stringify(state)); }
      else { window.sessionStorage.removeItem(KEY); }
    } catch (e) { /* storage blocked or absent: the global still works on one page */ }
  }

  function load(sig) {
    var stored = null;
    try { stored = JSON.parse(window.sessionStorage.getItem(KEY) || "null"); } catch (e) { stored = null; }
    var candidates = [window.sagenotesMcqPicks, stored];
    for (var i = 0; i < candidates.length; i++) {
      var c = candidates[i];
      if (c && c.sig === sig && c.picks && c.picks.length) { return c; }
    }
    return null;
  }

  var sig = signature();

  if (side === "front") {
    var chooseEl = document.querySelector(".sn.mcq .choose");
    var single = !(chooseEl && chooseEl.textContent.replace(/\s+/g, ""));
    save({ sig: sig, picks: [] });
    var pick = function (li) {
      var was = li.classList.contains("picked");
      if (single) {
        for (var i = 0; i < items.length; i++) { items[i].classList.remove("picked"); }
      }
      if (was) { li.classList.remove("picked"); } else { li.classList.add("picked"); }
      var picks = [];
      for (var k = 0; k < items.length; k++) {
        if (items[k].classList.contains("picked")) { picks.push(letter(items[k])); }
      }
      save({ sig: sig, picks: picks });
    };
    for (var n = 0; n < items.length; n++) {
      items[n].setAttribute("role", "button");
      items[n].addEventListener("click", pick.bind(null, items[n]));
    }
    return;
  }

  var state = load(sig);
  save(null);
  if (!state) { return; }
  var right = true;
  for (var m = 0; m < items.length; m++) {
    var picked = state.picks.indexOf(letter(items[m])) >= 0;
    if (picked) { items[m].classList.add("picked"); }
    if (picked !== items[m].classList.contains("correct")) { right = false; }
  }
  var result = document.querySelector(".sn .sn-result");
  if (!result) { return; }
  result.textContent = right
    ? "✓ 맞았습니다 · Correct (" + state.picks.join(", ") + ")"
    : "✗ 틀렸습니다 · Not quite: you picked " + state.picks.join(", ");
  result.className += right ? " right" : " wrong";
  result.removeAttribute("hidden");
})
