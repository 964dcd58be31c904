// Admin pages: forms and delete buttons that call the JSON API with the session's CSRF token.
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="csrf"]');
  var csrf = meta ? meta.getAttribute("content") : "";
  // The page's strings in the admin's language (rendered by the server in #admin-text);
  // "{}" in a string is replaced by the argument.
  var text = {};
  try { text = JSON.parse((document.getElementById("admin-text") || {}).textContent || "{}"); } catch (e) { text = {}; }
  function t(key, arg) {
    var s = Object.prototype.hasOwnProperty.call(text, key) ? text[key] : key;
    return arg === undefined ? s : s.replace("{}", arg);
  }
  window.hikariText = t;
  // An API refusal in words: the server's message, introduced in the admin's language.
  function problem(r) {
    var d = r.data || {};
    if (!d.message) return t("Error") + " " + r.status;
    return (d.error === "invalid" || d.error === "bad_request" ? t("Invalid") : d.error === "conflict" ? t("Conflict") : "") + d.message;
  }
  window.hikariProblem = problem;
  function api(method, url, body) {
    var init = { method: method, headers: { "x-csrf-token": csrf }, credentials: "same-origin" };
    if (body !== undefined) { init.headers["content-type"] = "application/json"; init.body = JSON.stringify(body); }
    return fetch(url, init).then(function (r) {
      var ct = r.headers.get("content-type") || "";
      var p = ct.indexOf("json") >= 0 ? r.json() : r.text();
      return p.then(function (data) { return { ok: r.ok, status: r.status, data: data }; });
    });
  }
  window.hikariApi = api;
  function formBody(form) {
    var out = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name) return;
      var v = el.value;
      if (el.getAttribute("data-type") === "int") v = parseInt(v, 10);
      else if (v === "" && (el.name === "locale" || el.name === "redirect_url")) v = null;
      out[el.name] = v;
    });
    if (form.hasAttribute("data-edge")) {
      var c = { type: out.type };
      if (out.type === "form_submitted") c.form = out.subject || null;
      if (out.type === "event_occurred") c.name = out.subject;
      if (out.type === "label") c.label = out.subject;
      if (out.type === "property") { c.field = out.subject; c.op = out.op; c.value = out.value; }
      return { from_step: out.from_step, to_step: out.to_step, priority: out.priority || 0, condition: c };
    }
    return out;
  }
  document.querySelectorAll("form.api").forEach(function (form) {
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var err = form.querySelector(".api-error");
      if (err) err.textContent = "";
      api(form.getAttribute("data-method") || "POST", form.getAttribute("data-api"), formBody(form)).then(function (r) {
        if (!r.ok) { if (err) err.textContent = problem(r); return; }
        var show = form.getAttribute("data-show"), then = form.getAttribute("data-then");
        if (show) { form.querySelector(".api-result").textContent = t("CopyOnce") + r.data[show]; return; }
        if (then) { location.href = then.replace("{id}", r.data.id); return; }
        location.reload();
      });
    });
  });
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (e) {
      if (!confirm(form.getAttribute("data-confirm"))) e.preventDefault();
    });
  });
  document.querySelectorAll("[data-api-delete]").forEach(function (b) {
    b.addEventListener("click", function () {
      if (!confirm(t("ConfirmDelete"))) return;
      api("DELETE", b.getAttribute("data-api-delete")).then(function (r) {
        if (r.ok) location.reload(); else alert(problem(r));
      });
    });
  });
})();
// Step order: ↑/↓ swap rows, then send the whole order.
(function () {
  "use strict";
  document.querySelectorAll("table[data-reorder]").forEach(function (table) {
    table.addEventListener("click", function (e) {
      var b = e.target.closest("button[data-move]");
      if (!b) return;
      var row = b.closest("tr"), rows = Array.prototype.slice.call(table.querySelectorAll("tr[data-step]"));
      var i = rows.indexOf(row), j = i + +b.getAttribute("data-move");
      if (j < 0 || j >= rows.length) return;
      rows.splice(j, 0, rows.splice(i, 1)[0]);
      var order = rows.map(function (r) { return +r.getAttribute("data-step"); });
      window.hikariApi("PUT", table.getAttribute("data-reorder"), { order: order }).then(function (r) {
        if (r.ok) location.reload(); else alert(window.hikariProblem(r));
      });
    });
  });
})();
