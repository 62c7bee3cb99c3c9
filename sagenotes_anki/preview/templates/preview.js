(function () {
  /* The preview page: give every card face its note type's CSS, filter, count, night mode. */
  "use strict";
  var styles = {};
  var sheets = {};
  var templates = document.querySelectorAll("template.pv-css");
  for (var i = 0; i < templates.length; i++) {
    var key = templates[i].getAttribute("data-css");
    styles[key] = templates[i].content.querySelector("style");
    /* One parsed sheet shared by thousands of shadow roots; a copy each is far slower. */
    try {
      sheets[key] = new CSSStyleSheet();
      sheets[key].replaceSync(styles[key].textContent);
    } catch (e) { sheets[key] = null; }
  }

  function styled(face) {
    var root = face.shadowRoot;
    if (!root) {
      /* Browsers without declarative shadow DOM leave the <template> in place. */
      var tpl = face.querySelector("template");
      if (!tpl) { return null; }
      root = face.attachShadow({ mode: "open" });
      root.appendChild(tpl.content.cloneNode(true));
      face.removeChild(tpl);
    }
    var key = face.getAttribute("data-css");
    if (sheets[key] && "adoptedStyleSheets" in root) { root.adoptedStyleSheets = [sheets[key]]; }
    else { root.appendChild(styles[key].cloneNode(true)); }
    return root;
  }

  var roots = [];
  var faces = document.querySelectorAll(".face");
  for (var f = 0; f < faces.length; f++) {
    var root = styled(faces[f]);
    if (root) { roots.push(root); }
  }

  var typeSelect = document.getElementById("pv-type");
  var tagSelect = document.getElementById("pv-tag");
  var textInput = document.getElementById("pv-text");
  var night = document.getElementById("pv-night");
  var count = document.getElementById("pv-count");
  var total = count.getAttribute("data-total");
  var cards = document.querySelectorAll(".pv-card");
  var notes = document.querySelectorAll(".pv-note");
  var texts = [];

  function cardText(card) {
    var text = card.textContent;
    var parts = card.querySelectorAll(".face");
    for (var p = 0; p < parts.length; p++) {
      if (parts[p].shadowRoot) { text += " " + parts[p].shadowRoot.textContent; }
    }
    return text.toLowerCase();
  }

  function hasTag(card, wanted) {
    var tags = (card.getAttribute("data-tags") || "").split(" ");
    for (var t = 0; t < tags.length; t++) {
      if (tags[t] === wanted || tags[t].indexOf(wanted + "::") === 0) { return true; }
    }
    return false;
  }

  function apply() {
    var type = typeSelect.value;
    var tag = tagSelect.value;
    var query = textInput.value.trim().toLowerCase();
    var shown = 0;
    for (var c = 0; c < cards.length; c++) {
      var card = cards[c];
      if (query && texts[c] === undefined) { texts[c] = cardText(card); }
      var ok = (!type || card.getAttribute("data-notetype") === type) &&
        (!tag || hasTag(card, tag)) && (!query || texts[c].indexOf(query) >= 0);
      card.hidden = !ok;
      if (ok) { shown += 1; }
    }
    for (var n = 0; n < notes.length; n++) {
      notes[n].hidden = !notes[n].querySelector(".pv-card:not([hidden])");
    }
    count.textContent = shown + " of " + total + " cards";
  }

  function applyNight() {
    document.body.classList.toggle("pv-night", night.checked);
    for (var r = 0; r < roots.length; r++) {
      var card = roots[r].querySelector(".card");
      if (card) {
        card.classList.toggle("nightMode", night.checked);
        card.classList.toggle("night_mode", night.checked);
      }
    }
  }

  typeSelect.addEventListener("change", apply);
  tagSelect.addEventListener("change", apply);
  textInput.addEventListener("input", apply);
  night.addEventListener("change", applyNight);
  document.querySelector(".pv-filters").addEventListener("submit", function (e) { e.preventDefault(); });
  if (window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches) {
    night.checked = true;
  }
  applyNight();
  apply();
})();
