// First-party tracking: window.hikari.track(name, props) sends one event to /f/collect.
(function () {
  "use strict";
  var s = document.currentScript, funnel = +s.getAttribute("data-funnel"), step = +s.getAttribute("data-step");
  function id() {
    var r = window.crypto && crypto.randomUUID ? crypto.randomUUID() : Date.now() + "-" + Math.random().toString(16).slice(2);
    return String(r).replace(/[^a-zA-Z0-9-]/g, "");
  }
  function track(name, props) {
    var body = JSON.stringify({ events: [{ id: id(), name: name, props: props || {}, funnel: funnel, step: step }] });
    if (navigator.sendBeacon && navigator.sendBeacon("/f/collect", new Blob([body], { type: "application/json" }))) return;
    fetch("/f/collect", { method: "POST", headers: { "content-type": "application/json" }, body: body, keepalive: true });
  }
  window.hikari = { track: track };
  document.addEventListener("click", function (e) {
    var a = e.target.closest && e.target.closest("a.btn");
    if (a) track("cta_click", { href: a.getAttribute("href") });
  });
})();
