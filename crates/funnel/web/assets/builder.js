// The block builder: sections of blocks, drag and drop, a properties panel, live preview.
(function () {
  "use strict";
  var t = window.hikariText || function (k, a) { return a === undefined ? k : k.replace("{}", a); };
  var root = document.getElementById("builder"), stepId = root.getAttribute("data-step");
  var pageUrl = "/api/v1/steps/" + stepId + "/page";
  var state = { version: 0, page: { sections: [] }, css: "" }, selected = null, dirty = false, timer = null;
  var $sections = document.getElementById("sections"), $props = document.getElementById("props");
  var $css = document.getElementById("css"), $status = document.getElementById("status");
  var $preview = document.getElementById("preview");
  function uid(p) { return p + Math.random().toString(36).slice(2, 10); }
  function status(t) { $status.textContent = t; }
  var DEFAULTS = {
    heading: function () { return { type: "heading", text: "見出し", level: 2 }; },
    text: function () { return { type: "text", text: "テキスト" }; },
    image: function () { return { type: "image", src: "#", alt: "" }; },
    video: function () { return { type: "video", src: "#", title: "" }; },
    button: function () { return { type: "button", label: "申し込む", href: "#" }; },
    form: function () {
      return { type: "form", submit_label: "", fields: [
        { name: "name", label: "お名前", type: "text", required: true },
        { name: "email", label: "メールアドレス", type: "email", required: true }] };
    },
    countdown: function () { return { type: "countdown", until: Date.now() + 86400000, label: "" }; },
    html: function () { return { type: "html", html: "<p>HTML</p>" }; },
    spacer: function () { return { type: "spacer", height: 32 }; }
  };
  var FIELDS = {
    heading: [["text", "input"], ["level", "level"]], text: [["text", "textarea"]],
    image: [["src", "input"], ["alt", "input"]], video: [["src", "input"], ["title", "input"]],
    button: [["label", "input"], ["href", "input"]],
    form: [["submit_label", "input"], ["event", "input"], ["fields", "json"]],
    countdown: [["until", "number"], ["label", "input"]], html: [["html", "textarea"]], spacer: [["height", "number"]]
  };
  var PROPS = { text: "PropText", level: "PropLevel", src: "PropSrc", alt: "PropAlt", title: "PropTitle", label: "PropLabel", href: "PropHref",
    submit_label: "PropSubmitLabel", event: "PropEvent", fields: "PropFields", until: "PropUntil", html: "PropHtml", height: "PropHeight" };
  function blocksOf(i) {
    var s = state.page.sections[i];
    if (!s.columns.length) s.columns.push({ id: uid("c"), width: 100, blocks: [] });
    return s.columns[0].blocks;
  }
  function addSection() { state.page.sections.push({ id: uid("s"), columns: [{ id: uid("c"), width: 100, blocks: [] }] }); }
  function summary(b) { return b.type + ": " + (b.text || b.label || b.src || b.html || (b.fields ? t("Fields", b.fields.length) : "") || ""); }
  function changed() { dirty = true; status(t("UnsavedChanges")); draw(); schedulePreview(); }
  function insert(si, at, block) { blocksOf(si).splice(at, 0, block); selected = block; changed(); }
  function draw() {
    $sections.innerHTML = "";
    state.page.sections.forEach(function (s, si) {
      var box = document.createElement("div"); box.className = "b-section";
      var h = document.createElement("div"); h.className = "b-section-head";
      var strong = document.createElement("strong"); strong.textContent = t("Section", si + 1);
      h.appendChild(strong); h.appendChild(document.createTextNode(" "));
      var del = document.createElement("button"); del.type = "button"; del.textContent = t("RemoveSection");
      del.onclick = function () { state.page.sections.splice(si, 1); changed(); };
      h.appendChild(del); box.appendChild(h);
      var ol = document.createElement("ol"); ol.className = "dropzone"; ol.setAttribute("data-section", si);
      blocksOf(si).forEach(function (b, bi) {
        var li = document.createElement("li"); li.className = "b-block" + (b === selected ? " selected" : "");
        li.draggable = true; li.tabIndex = 0; li.setAttribute("data-index", bi); li.setAttribute("data-type", b.type);
        var label = document.createElement("span"); label.textContent = summary(b); li.appendChild(label);
        [["↑", -1], ["↓", 1]].forEach(function (m) {
          var btn = document.createElement("button"); btn.type = "button"; btn.textContent = m[0];
          btn.setAttribute("aria-label", m[1] < 0 ? t("MoveUp") : t("MoveDown"));
          btn.onclick = function (e) {
            e.stopPropagation(); var list = blocksOf(si), j = bi + m[1];
            if (j < 0 || j >= list.length) return; list.splice(j, 0, list.splice(bi, 1)[0]); changed();
          };
          li.appendChild(btn);
        });
        var x = document.createElement("button"); x.type = "button"; x.textContent = "✕"; x.setAttribute("aria-label", t("DeleteBlock"));
        x.onclick = function (e) { e.stopPropagation(); blocksOf(si).splice(bi, 1); if (selected === b) selected = null; changed(); };
        li.appendChild(x);
        li.onclick = function () { selected = b; draw(); };
        li.addEventListener("dragstart", function (e) { e.dataTransfer.setData("text/plain", "move:" + si + ":" + bi); });
        ol.appendChild(li);
      });
      ol.addEventListener("dragover", function (e) { e.preventDefault(); ol.classList.add("over"); });
      ol.addEventListener("dragleave", function () { ol.classList.remove("over"); });
      ol.addEventListener("drop", function (e) {
        e.preventDefault(); ol.classList.remove("over");
        var data = e.dataTransfer.getData("text/plain"), li = e.target.closest && e.target.closest("li.b-block");
        var at = li ? +li.getAttribute("data-index") : blocksOf(si).length;
        if (li) { var r = li.getBoundingClientRect(); if (e.clientY > r.top + r.height / 2) at += 1; }
        if (data.indexOf("add:") === 0 && DEFAULTS[data.slice(4)]) {
          var b = DEFAULTS[data.slice(4)](); b.id = uid("b"); insert(si, at, b);
        } else if (data.indexOf("move:") === 0) {
          var p = data.split(":"), from = +p[1], idx = +p[2], moved = blocksOf(from).splice(idx, 1)[0];
          if (from === si && idx < at) at -= 1;
          insert(si, at, moved);
        }
      });
      box.appendChild(ol); $sections.appendChild(box);
    });
    drawProps();
  }
  function drawProps() {
    $props.innerHTML = "";
    if (!selected) { var hint = document.createElement("p"); hint.className = "hint"; hint.textContent = t("SelectBlock"); $props.appendChild(hint); return; }
    (FIELDS[selected.type] || []).forEach(function (f) {
      var key = f[0], kind = f[1], label = document.createElement("label"), el;
      label.textContent = t(PROPS[key] || key) + " ";
      if (kind === "textarea" || kind === "json") { el = document.createElement("textarea"); el.rows = kind === "json" ? 10 : 4; }
      else if (kind === "level") { el = document.createElement("select"); [1, 2, 3].forEach(function (n) { var o = document.createElement("option"); o.value = n; o.textContent = "H" + n; el.appendChild(o); }); }
      else { el = document.createElement("input"); if (kind === "number") el.type = "number"; }
      el.name = key;
      el.value = kind === "json" ? JSON.stringify(selected[key] || [], null, 2) : (selected[key] == null ? "" : selected[key]);
      el.addEventListener("input", function () {
        if (kind === "json") { try { selected[key] = JSON.parse(el.value); el.removeAttribute("aria-invalid"); } catch (e) { el.setAttribute("aria-invalid", "true"); return; } }
        else if (kind === "number" || kind === "level") selected[key] = +el.value;
        else if (key === "event" && el.value === "") selected[key] = null;
        else selected[key] = el.value;
        dirty = true; status(t("UnsavedChanges"));
        var li = $sections.querySelector("li.selected span"); if (li) li.textContent = summary(selected);
        schedulePreview();
      });
      label.appendChild(el); $props.appendChild(label);
    });
  }
  function draft() { return { page: state.page, css: $css.value }; }
  function schedulePreview() {
    clearTimeout(timer);
    timer = setTimeout(function () {
      window.hikariApi("POST", "/admin/preview", draft()).then(function (r) {
        if (r.ok) $preview.srcdoc = r.data; else status(t("PreviewFailed") + ((r.data && r.data.message) || r.status));
      });
    }, 250);
  }
  function save() {
    return window.hikariApi("PUT", pageUrl, { version: state.version, page: state.page, css: $css.value }).then(function (r) {
      if (r.ok) { state.version = r.data.version; dirty = false; status(t("Saved", state.version)); return true; }
      if (r.status === 409) status(t("SavedBySomeoneElse", r.data.current_version));
      else status(t("NotSaved") + ((r.data && r.data.message) || r.status));
      return false;
    });
  }
  document.getElementById("save").onclick = save;
  document.getElementById("publish").onclick = function () {
    (dirty ? save() : Promise.resolve(true)).then(function (ok) {
      if (!ok) return;
      window.hikariApi("POST", "/api/v1/steps/" + stepId + "/publish", { version: state.version }).then(function (r) {
        status(r.ok ? t("Published", r.data.published_version) : t("NotPublished") + ((r.data && r.data.message) || r.status));
      });
    });
  };
  document.getElementById("add-section").onclick = function () { addSection(); changed(); };
  $css.addEventListener("input", function () { dirty = true; status(t("UnsavedChanges")); schedulePreview(); });
  document.querySelectorAll(".palette-item").forEach(function (p) {
    p.addEventListener("dragstart", function (e) { e.dataTransfer.setData("text/plain", "add:" + p.getAttribute("data-add")); });
    p.addEventListener("click", function () {
      if (!state.page.sections.length) addSection();
      var si = state.page.sections.length - 1, b = DEFAULTS[p.getAttribute("data-add")]();
      b.id = uid("b"); insert(si, blocksOf(si).length, b);
    });
  });
  window.addEventListener("beforeunload", function (e) { if (dirty) { e.preventDefault(); e.returnValue = ""; } });
  window.hikariApi("GET", pageUrl).then(function (r) {
    if (!r.ok) { status(t("CannotLoad") + r.status); return; }
    state.version = r.data.version; state.page = r.data.page; $css.value = r.data.css;
    if (!state.page.sections.length) addSection();
    status(t("Version", state.version) + (r.data.published_version ? t("PublishedVersion", r.data.published_version) : t("NotPublishedYet")));
    draw(); schedulePreview();
  });
})();
