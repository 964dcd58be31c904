// Mirrors the server's form rules for instant feedback; the server stays the authority.
(function () {
  "use strict";
  var EMAIL = /^[^\s@<>"(),;:\\\[\]]+@[^\s@<>"(),;:\\\[\]]+\.[^\s@<>"(),;:\\\[\]]+$/;
  function fieldOf(el) { return el.closest(".field"); }
  function shown(div, form) {
    var name = div.getAttribute("data-show-field");
    if (!name) return true;
    var ctl = form.elements[name], v = ctl ? (ctl.type === "checkbox" ? (ctl.checked ? "true" : "false") : ctl.value.trim()) : "";
    var want = div.getAttribute("data-show-value"), op = div.getAttribute("data-show-op");
    return op === "not_equals" ? v !== want : op === "contains" ? v.indexOf(want) >= 0 : v === want;
  }
  function check(el) {
    var div = fieldOf(el); if (!div || div.hidden) return "";
    var v = el.type === "checkbox" ? el.checked : el.value.trim();
    if (el.required && !v) return div.getAttribute("data-msg-required");
    if (el.type === "checkbox" || !v) return "";
    if (el.maxLength > 0 && v.length > el.maxLength) return div.getAttribute("data-msg-long");
    if (el.type === "email" && !EMAIL.test(v)) return div.getAttribute("data-msg-invalid");
    if (el.type === "tel" && !(/^[0-9 +()-]+$/.test(v) && v.replace(/\D/g, "").length >= 7 && v.replace(/\D/g, "").length <= 20)) return div.getAttribute("data-msg-invalid");
    return "";
  }
  function show(el, msg) {
    var p = document.getElementById(el.getAttribute("aria-describedby"));
    if (p) p.textContent = msg;
    if (msg) el.setAttribute("aria-invalid", "true"); else el.removeAttribute("aria-invalid");
  }
  function refresh(form) {
    form.querySelectorAll(".field[data-show-field]").forEach(function (d) { d.hidden = !shown(d, form); });
  }
  document.querySelectorAll("form[data-form]").forEach(function (form) {
    refresh(form);
    form.addEventListener("input", function (e) { refresh(form); if (e.target.getAttribute("aria-invalid")) show(e.target, check(e.target)); });
    form.addEventListener("change", function () { refresh(form); });
    form.addEventListener("focusout", function (e) { if (e.target.name && fieldOf(e.target)) show(e.target, check(e.target)); });
    form.addEventListener("submit", function (e) {
      var first = null;
      form.querySelectorAll(".field input, .field select").forEach(function (el) {
        var m = check(el); show(el, m); if (m && !first) first = el;
      });
      var banner = form.querySelector(".form-error");
      if (first) { e.preventDefault(); if (banner) banner.hidden = false; first.focus(); }
    });
  });
  var timers = document.querySelectorAll(".countdown[data-until]");
  if (timers.length) setInterval(function () {
    timers.forEach(function (c) {
      var left = Math.max(0, Math.floor((+c.getAttribute("data-until") - Date.now()) / 1000)), t = c.querySelector("time");
      if (!t) return;
      if (!left) { t.textContent = c.getAttribute("data-over"); return; }
      function p(n) { return (n < 10 ? "0" : "") + n; }
      t.textContent = Math.floor(left / 86400) + c.getAttribute("data-days") + " " + p(Math.floor(left / 3600) % 24) + ":" + p(Math.floor(left / 60) % 60) + ":" + p(left % 60);
    });
  }, 1000);
})();
