// Admin pages: forms and delete buttons that call the JSON API with the session's CSRF token.
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="csrf"]');
  var csrf = meta ? meta.getAttribute("content") : "";
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
        if (!r.ok) { if (err) err.textContent = (r.data && r.data.message) || ("Error " + r.status); return; }
        var show = form.getAttribute("data-show"), then = form.getAttribute("data-then");
        if (show) { form.querySelector(".api-result").textContent = "Copy this now, it is shown once: " + r.data[show]; return; }
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
      if (!confirm("Delete?")) return;
      api("DELETE", b.getAttribute("data-api-delete")).then(function (r) {
        if (r.ok) location.reload(); else alert((r.data && r.data.message) || "Error " + r.status);
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
        if (r.ok) location.reload(); else alert((r.data && r.data.message) || "Error " + r.status);
      });
    });
  });
})();
