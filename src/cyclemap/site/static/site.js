/* cyclemap site: tabs, zoom and pan for the diagrams, sortable tables, gap filters.
   Every page reads fine without it; this file only adds. No inline script, no
   network, no eval: it works under a strict Content-Security-Policy. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function remember(key, value) {
    try { if (value === undefined) { return window.sessionStorage.getItem(key); } window.sessionStorage.setItem(key, value); } catch (e) { /* storage off */ }
    return null;
  }

  /* -- present: the diagrams alone on the whole screen, for a room watching a projector -- */
  var html = document.documentElement;
  function presenting() { return html.classList.contains("presenting"); }
  function present(on) {
    html.classList.toggle("presenting", on);
    Array.prototype.slice.call(document.querySelectorAll("button.present")).forEach(function (button) {
      button.textContent = on ? "Exit full screen" : "Full screen";
      button.setAttribute("aria-pressed", on ? "true" : "false");
    });
    if (on && html.requestFullscreen && !document.fullscreenElement) {
      html.requestFullscreen().catch(function () { /* refused: the page still shows the diagrams alone */ });
    } else if (!on && document.fullscreenElement && document.exitFullscreen) {
      document.exitFullscreen().catch(function () { /* already left */ });
    }
  }
  document.addEventListener("fullscreenchange", function () { if (!document.fullscreenElement && presenting()) { present(false); } });
  document.addEventListener("keydown", function (event) { if (event.key === "Escape" && presenting()) { present(false); } });
  function presentButton() {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "present";
    button.title = "Show the diagram alone on the whole screen (Esc leaves)";
    button.textContent = presenting() ? "Exit full screen" : "Full screen";
    button.setAttribute("aria-pressed", presenting() ? "true" : "false");
    button.addEventListener("click", function () { present(!presenting()); });
    return button;
  }

  /* -- diagrams: one tab per layout, zoom with the wheel or buttons, pan by dragging -- */
  function setUpDiagrams(section) {
    var figures = Array.prototype.slice.call(section.querySelectorAll("figure.diagram"));
    if (!figures.length) { return; }
    var bar = document.createElement("div");
    bar.className = "diagram-bar";
    var tabs = document.createElement("div");
    tabs.className = "tabs";
    tabs.setAttribute("role", "tablist");
    tabs.setAttribute("aria-label", "Diagram");
    bar.appendChild(tabs);
    var zoom = document.createElement("div");
    zoom.className = "zoom";
    var views = figures.map(function (figure) { var view = panZoom(figure); figure.cyclemapView = view; return view; });
    var buttons = figures.map(function (figure, index) {
      var button = document.createElement("button");
      button.type = "button";
      button.setAttribute("role", "tab");
      button.textContent = figure.getAttribute("data-name");
      button.addEventListener("click", function () { show(index); });
      tabs.appendChild(button);
      return button;
    });
    var hint = document.createElement("span");
    hint.className = "zoom-hint";
    hint.textContent = "Wheel to zoom, drag to pan";
    zoom.appendChild(hint);
    [["+", "Zoom in", function (v) { v.zoomBy(1.25); }], ["\u2212", "Zoom out", function (v) { v.zoomBy(0.8); }],
     ["Fit", "Show the whole diagram", function (v) { v.reset(); }]].forEach(function (spec) {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = spec[0];
      button.title = spec[1];
      button.setAttribute("aria-label", spec[1]);
      button.addEventListener("click", function () { spec[2](views[current]); });
      zoom.appendChild(button);
    });
    zoom.appendChild(presentButton());
    bar.appendChild(zoom);
    section.insertBefore(bar, figures[0]);
    var current = 0;
    function show(index) {
      current = index;
      figures.forEach(function (figure, i) { figure.hidden = i !== index; });
      buttons.forEach(function (button, i) { button.setAttribute("aria-selected", i === index ? "true" : "false"); });
      remember("cyclemap-diagram", figures[index].id);
    }
    var saved = remember("cyclemap-diagram");
    var start = figures.map(function (f) { return f.id; }).indexOf(saved);
    show(start < 0 ? 0 : start);
  }

  function panZoom(figure) {
    var svg = figure.querySelector("svg");
    var frame = figure.querySelector(".svg-frame");
    if (!svg || !frame || !svg.viewBox || !svg.viewBox.baseVal) { return { zoomBy: function () {}, reset: function () {} }; }
    var base = svg.viewBox.baseVal;
    var home = { x: base.x, y: base.y, w: base.width, h: base.height };
    var box = { x: home.x, y: home.y, w: home.w, h: home.h };
    function apply() { svg.setAttribute("viewBox", [box.x, box.y, box.w, box.h].join(" ")); }
    function zoomAt(factor, fx, fy) {
      var w = box.w / factor, h = box.h / factor;
      if (w > home.w * 4 || w < home.w / 40) { return; }
      box.x += (box.w - w) * fx; box.y += (box.h - h) * fy; box.w = w; box.h = h;
      apply();
    }
    frame.addEventListener("wheel", function (event) {
      event.preventDefault();
      var rect = frame.getBoundingClientRect();
      zoomAt(event.deltaY < 0 ? 1.15 : 1 / 1.15, (event.clientX - rect.left) / rect.width, (event.clientY - rect.top) / rect.height);
    }, { passive: false });
    var drag = null;
    frame.addEventListener("pointerdown", function (event) {
      drag = { x: event.clientX, y: event.clientY, bx: box.x, by: box.y };
      frame.classList.add("dragging");
      frame.setPointerCapture(event.pointerId);
    });
    frame.addEventListener("pointermove", function (event) {
      if (!drag) { return; }
      var rect = frame.getBoundingClientRect();
      var scale = Math.max(box.w / rect.width, box.h / rect.height);
      box.x = drag.bx - (event.clientX - drag.x) * scale;
      box.y = drag.by - (event.clientY - drag.y) * scale;
      apply();
    });
    function stop() { drag = null; frame.classList.remove("dragging"); }
    frame.addEventListener("pointerup", stop);
    frame.addEventListener("pointercancel", stop);
    return {
      zoomBy: function (factor) { zoomAt(factor, 0.5, 0.5); },
      reset: function () { box = { x: home.x, y: home.y, w: home.w, h: home.h }; apply(); },
      /* zoom and pan relative to the whole diagram, to carry over to a redrawn one (the live preview) */
      get: function () { return { x: (box.x - home.x) / home.w, y: (box.y - home.y) / home.h, w: box.w / home.w, h: box.h / home.h }; },
      set: function (r) { box = { x: home.x + r.x * home.w, y: home.y + r.y * home.h, w: r.w * home.w, h: r.h * home.h }; apply(); }
    };
  }

  /* -- tables: click a heading to sort by it -- */
  function sortable(table) {
    var heads = Array.prototype.slice.call(table.querySelectorAll("thead th"));
    heads.forEach(function (th, column) {
      var kind = th.getAttribute("data-sort");
      if (!kind) { return; }
      th.tabIndex = 0;
      function sort() {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        heads.forEach(function (other) { other.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = key(a.cells[column], kind), y = key(b.cells[column], kind);
          var order = kind === "number" ? x - y : String(x).localeCompare(String(y));
          return ascending ? order : -order;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      }
      th.addEventListener("click", sort);
      th.cyclemapSort = function (ascending) { th.setAttribute("aria-sort", ascending ? "descending" : "ascending"); sort(); };
      th.addEventListener("keydown", function (event) { if (event.key === "Enter" || event.key === " ") { event.preventDefault(); sort(); } });
    });
  }
  function key(cell, kind) {
    if (!cell) { return kind === "number" ? -Infinity : ""; }
    var value = cell.hasAttribute("data-value") ? cell.getAttribute("data-value") : cell.textContent.trim();
    return kind === "number" ? parseFloat(value) || 0 : value.toLowerCase();
  }

  /* -- the ranking of every gap: filter by map, kind and segment -- */
  function setUpFilters(form) {
    var table = document.getElementById("all-gaps");
    if (!table) { return; }
    form.hidden = false;
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    function apply() {
      var map = form.elements.map ? form.elements.map.value : "";
      var kind = form.elements.kind ? form.elements.kind.value : "";
      var segment = form.elements.segment ? form.elements.segment.value : "";
      var shown = 0;
      rows.forEach(function (row) {
        var keep = (!map || row.getAttribute("data-map") === map) &&
          (!kind || (" " + row.getAttribute("data-kinds") + " ").indexOf(" " + kind + " ") >= 0) &&
          (!segment || row.getAttribute("data-segment") === segment);
        row.hidden = !keep;
        if (keep) { shown += 1; }
      });
      var rank = 0;
      Array.prototype.slice.call(table.tBodies[0].rows).forEach(function (row) {
        if (!row.hidden) { rank += 1; row.cells[0].textContent = String(rank); }
      });
      form.elements.count.value = shown + " of " + rows.length + " shown";
    }
    form.addEventListener("change", apply);
    form.addEventListener("reset", function () { window.setTimeout(apply, 0); });
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    apply();
  }

  /* -- a map's gap tables: filter by kind -- */
  function kindFilter(table) {
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    var kinds = [];
    rows.forEach(function (row) {
      (row.getAttribute("data-kinds") || "").split(" ").forEach(function (kind) { if (kind && kinds.indexOf(kind) < 0) { kinds.push(kind); } });
    });
    if (kinds.length < 2) { return; }
    var form = document.createElement("form");
    form.className = "filters kind-filter";
    var label = document.createElement("label");
    label.textContent = "Kind ";
    var select = document.createElement("select");
    select.name = "kind";
    [""].concat(kinds.sort()).forEach(function (kind) {
      var option = document.createElement("option");
      option.value = kind;
      option.textContent = kind || "Any kind";
      select.appendChild(option);
    });
    label.appendChild(select);
    form.appendChild(label);
    var count = document.createElement("output");
    count.className = "count";
    form.appendChild(count);
    function apply() {
      var shown = 0;
      rows.forEach(function (row) {
        var keep = !select.value || (" " + row.getAttribute("data-kinds") + " ").indexOf(" " + select.value + " ") >= 0;
        row.hidden = !keep;
        if (keep) { shown += 1; }
      });
      count.value = shown + " of " + rows.length + " shown";
    }
    select.addEventListener("change", apply);
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    var wrap = table.closest(".table-wrap") || table;
    wrap.parentNode.insertBefore(form, wrap);
    apply();
  }

  function start(root) {
    root = root || document;
    Array.prototype.slice.call(root.querySelectorAll("section.diagrams")).forEach(setUpDiagrams);
    Array.prototype.slice.call(root.querySelectorAll("table.sortable")).forEach(sortable);
    Array.prototype.slice.call(root.querySelectorAll("table.gaps:not(#all-gaps)")).forEach(kindFilter);
    var form = root.querySelector("#gap-filters");
    if (form) { setUpFilters(form); }
  }
  window.cyclemapSite = { start: start };
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", function () { start(document); }); } else { start(document); }
}());
