/* Steward consent banner. No dependencies. Blocks <script type="text/plain" data-purpose="...">
   until the visitor chooses; sends Google Consent Mode v2 defaults before any tag; holds Yandex
   Metrica's queue; honours Global Privacy Control. The server records each choice in the consent
   ledger and sets the first-party consent cookie; this script never writes cookies. */
(function (C, CSS) {
  "use strict";
  var w = window, d = document, T = C.text, box, lastFocus;
  w.dataLayer = w.dataLayer || [];
  var gtag = w.gtag || function () { w.dataLayer.push(arguments); };
  w.gtag = gtag;
  gtag("consent", "default", {
    ad_storage: "denied", ad_user_data: "denied", ad_personalization: "denied",
    analytics_storage: "denied", wait_for_update: 500
  });
  // Yandex Metrica's own queue: calls wait here until its (blocked) tag is allowed to load.
  if (!w.ym) { w.ym = function () { (w.ym.a = w.ym.a || []).push(arguments); }; w.ym.l = +new Date(); }

  var choices = C.choices;
  var gpcOn = !!(navigator.globalPrivacyControl || C.gpcHeader);

  function purposeOf(id) {
    for (var i = 0; i < C.purposes.length; i++) if (C.purposes[i].id === id) return C.purposes[i];
    return null;
  }
  function allowed(name) {
    if (!choices) return false;
    if (choices[name] === true) return true;
    for (var i = 0; i < C.purposes.length; i++) {
      var p = C.purposes[i];
      if (choices[p.id] === true && p.tags.indexOf(name) >= 0) return true;
    }
    return false;
  }
  function anyTag(tags) {
    for (var i = 0; i < tags.length; i++) if (allowed(tags[i])) return true;
    return false;
  }
  function unblock() {
    var list = d.querySelectorAll('script[type="text/plain"][data-purpose]');
    for (var i = 0; i < list.length; i++) {
      var old = list[i];
      if (!allowed(old.getAttribute("data-purpose"))) continue;
      var s = d.createElement("script");
      for (var j = 0; j < old.attributes.length; j++) {
        var a = old.attributes[j];
        if (a.name !== "type") s.setAttribute(a.name, a.value);
      }
      s.type = old.getAttribute("data-type") || "text/javascript";
      if (!old.src) s.text = old.text;
      old.parentNode.replaceChild(s, old);
    }
  }
  function apply() {
    var ads = anyTag(["advertising", "marketing"]) ? "granted" : "denied";
    gtag("consent", "update", {
      ad_storage: ads, ad_user_data: ads, ad_personalization: ads,
      analytics_storage: anyTag(["analytics"]) ? "granted" : "denied"
    });
    unblock();
    d.documentElement.setAttribute("data-steward-consent", "chosen");
  }
  function send(body) {
    body.lang = C.lang; body.copy = C.copy; body.version = C.version; body.gpc = gpcOn;
    return fetch(C.endpoint, {
      method: "POST", credentials: "include", keepalive: true,
      headers: { "Content-Type": "application/json" }, body: JSON.stringify(body)
    }).then(function (r) { return r.ok ? r.json() : null; }).catch(function () { return null; });
  }
  function choose(map) {
    choices = map;
    close();
    apply();
    send({ method: "banner", choices: map });
  }
  function all(value) {
    var map = {};
    for (var i = 0; i < C.purposes.length; i++) map[C.purposes[i].id] = value;
    return map;
  }
  function el(tag, attrs, text) {
    var e = d.createElement(tag);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (text) e.textContent = text;
    return e;
  }
  function button(label, cls, onClick) {
    var b = el("button", { type: "button", "class": "sc-b " + cls }, label);
    b.addEventListener("click", onClick);
    return b;
  }
  function close() {
    if (!box) return;
    box.parentNode.removeChild(box);
    box = null;
    if (lastFocus && lastFocus.focus) lastFocus.focus();
  }
  function trap(e) {
    if (e.key !== "Tab" || !box) return;
    var f = box.querySelectorAll("button:not([hidden]),input,a[href]"), shown = [];
    for (var i = 0; i < f.length; i++) if (f[i].offsetParent !== null) shown.push(f[i]);
    var first = shown[0], last = shown[shown.length - 1];
    if (e.shiftKey && d.activeElement === first) { last.focus(); e.preventDefault(); }
    else if (!e.shiftKey && d.activeElement === last) { first.focus(); e.preventDefault(); }
  }
  function open() {
    if (box) return;
    lastFocus = d.activeElement;
    if (!d.getElementById("sc-style")) {
      d.head.appendChild(el("link", { id: "sc-style", rel: "stylesheet", href: CSS }));
    }
    box = el("div", {
      id: "steward-consent", role: "dialog", "aria-modal": "true",
      "aria-labelledby": "sc-t", "aria-describedby": "sc-d", lang: C.lang
    });
    box.appendChild(el("h2", { id: "sc-t" }, T.title));
    box.appendChild(el("p", { id: "sc-d" }, T.body));
    if (gpcOn && C.gpc.length) box.appendChild(el("p", { "class": "sc-gpc" }, T.gpc));
    var form = el("fieldset", { "class": "sc-f", hidden: "" });
    form.appendChild(el("legend", {}, T.label));
    for (var i = 0; i < C.purposes.length; i++) {
      var p = C.purposes[i], id = "sc-p-" + p.id, row = el("div", { "class": "sc-r" });
      var input = el("input", { type: "checkbox", id: id, value: p.id, "aria-describedby": id + "-d" });
      var blockedByGpc = gpcOn && C.gpc.indexOf(p.id) >= 0;
      input.checked = choices ? choices[p.id] === true : false;
      if (!choices && blockedByGpc) input.checked = false;
      row.appendChild(input);
      row.appendChild(el("label", { "for": id }, p.name));
      row.appendChild(el("small", { id: id + "-d" }, p.description + " (" + p.cookies.join(", ") + ")"));
      form.appendChild(row);
    }
    if (C.essential.length) form.appendChild(el("p", {}, T.essential + ": " + C.essential.join(", ")));
    box.appendChild(form);
    var bar = el("div", { "class": "sc-a" });
    var save = button(T.save, "", function () {
      var map = {}, boxes = form.querySelectorAll("input");
      for (var i = 0; i < boxes.length; i++) map[boxes[i].value] = boxes[i].checked;
      choose(map);
    });
    save.hidden = true;
    bar.appendChild(button(T.accept, "", function () { choose(all(true)); }));
    bar.appendChild(button(T.reject, "", function () { choose(all(false)); }));
    var chooseButton = button(T.choose, "", function () {
      form.hidden = false; save.hidden = false; chooseButton.hidden = true;
      form.querySelector("input") && form.querySelector("input").focus();
    });
    bar.appendChild(chooseButton);
    bar.appendChild(save);
    box.appendChild(bar);
    if (C.policy) box.appendChild(el("a", { href: C.policy, "class": "sc-l" }, T.policy));
    box.addEventListener("keydown", trap);
    d.body.appendChild(box);
    box.querySelector("button").focus();
  }

  w.StewardConsent = { open: open, allowed: allowed, choices: function () { return choices; } };
  function start() {
    d.addEventListener("click", function (e) {
      var t = e.target && e.target.closest && e.target.closest("[data-steward-consent-open]");
      if (t) { e.preventDefault(); open(); }
    });
    if (choices) { apply(); return; }
    if (gpcOn && C.gpc.length) send({ method: "gpc", choices: {} });
    if (C.purposes.length) open();
  }
  if (d.readyState === "loading") d.addEventListener("DOMContentLoaded", start); else start();
})(__CONFIG__, __STYLE__);
