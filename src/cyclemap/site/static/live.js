/* cyclemap serve: follow the map on disk, and show everything about an activity when it is clicked.
   Asks the server for the page's version a few times a second (a request that returns at once:
   twenty tabs never hold the browser's few connections to one server); when it changed, fetches
   the page again and swaps its content in place, keeping the diagram shown, zoom and pan, sorting,
   filters, open sections, scroll position and the open activity panel. No inline script, no eval. */
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="cyclemap-live"]');
  if (!meta) { return; }
  var page = meta.getAttribute("content");
  var version = meta.getAttribute("data-version");
  var POLL_MS = 250;
  var updating = false;
  var panelFor = null;   /* {layout, node} of the open panel */
  document.documentElement.classList.add("live");

  function get(url) {
    return fetch(url, { cache: "no-store", credentials: "same-origin" }).then(function (response) {
      /* 410: the page of a map deleted or renamed, which says so (and comes back with the file) */
      if (!response.ok && response.status !== 410) { throw new Error(String(response.status)); }
      return response.text();
    });
  }

  function setOnline(online) { document.documentElement.classList.toggle("offline", !online); }

  function poll() {
    if (updating) { return; }
    get("/live/version?page=" + encodeURIComponent(page)).then(function (now) {
      setOnline(true);
      if (now !== version) { return update(); }
      return null;
    }).catch(function () { setOnline(false); });
  }

  /* -- what the reader set up, carried over to the new content -- */
  function saveState(main) {
    var state = { views: {}, sorts: [], kinds: [], open: [], scroll: window.scrollY };
    Array.prototype.slice.call(main.querySelectorAll("figure.diagram")).forEach(function (figure) {
      if (figure.cyclemapView && figure.cyclemapView.get) { state.views[figure.id] = figure.cyclemapView.get(); }
    });
    Array.prototype.slice.call(main.querySelectorAll("table.sortable")).forEach(function (table, index) {
      var th = table.querySelector("th[aria-sort]");
      if (th) { state.sorts.push([index, Array.prototype.indexOf.call(th.parentNode.children, th), th.getAttribute("aria-sort") === "ascending"]); }
    });
    Array.prototype.slice.call(main.querySelectorAll("form.filters select")).forEach(function (select) { state.kinds.push(select.value); });
    Array.prototype.slice.call(main.querySelectorAll("details")).forEach(function (details) { state.open.push(details.open); });
    return state;
  }

  function restoreState(main, state) {
    Array.prototype.slice.call(main.querySelectorAll("figure.diagram")).forEach(function (figure) {
      var view = state.views[figure.id];
      if (view && figure.cyclemapView && figure.cyclemapView.set) { figure.cyclemapView.set(view); }
    });
    var tables = main.querySelectorAll("table.sortable");
    state.sorts.forEach(function (sort) {
      var table = tables[sort[0]];
      var th = table && table.querySelectorAll("thead th")[sort[1]];
      if (th && th.cyclemapSort) { th.cyclemapSort(sort[2]); }
    });
    Array.prototype.slice.call(main.querySelectorAll("form.filters select")).forEach(function (select, index) {
      if (index < state.kinds.length && select.value !== state.kinds[index]) {
        select.value = state.kinds[index];
        select.dispatchEvent(new Event("change", { bubbles: true }));
      }
    });
    Array.prototype.slice.call(main.querySelectorAll("details")).forEach(function (details, index) {
      if (index < state.open.length) { details.open = state.open[index]; }
    });
    window.scrollTo(window.scrollX, state.scroll);
  }

  /* -- fetch the page again and swap its content in -- */
  function update(url) {
    updating = true;
    var target = url || (window.location.pathname + window.location.search);
    return get(target).then(function (text) {
      var fresh = new DOMParser().parseFromString(text, "text/html");
      var freshMain = fresh.querySelector("main");
      var freshMeta = fresh.querySelector('meta[name="cyclemap-live"]');
      var main = document.querySelector("main");
      if (!freshMain || !main) { return; }
      var state = saveState(main);
      var adopted = document.adoptNode(freshMain);
      main.replaceWith(adopted);
      document.title = fresh.title;
      document.body.className = fresh.body.className;
      if (freshMeta) { version = freshMeta.getAttribute("data-version"); meta.setAttribute("data-version", version); }
      if (url) { window.history.replaceState(null, "", url); }
      if (window.cyclemapSite) { window.cyclemapSite.start(adopted); }
      restoreState(adopted, state);
      wire(adopted);
      if (panelFor) { openPanel(panelFor.layout, panelFor.node); }
    }).catch(function () { setOnline(false); }).then(function () { updating = false; });
  }

  /* -- the activity panel -- */
  var panel = document.createElement("aside");
  panel.id = "activity-panel";
  panel.className = "activity-panel";
  panel.hidden = true;
  panel.setAttribute("aria-label", "Activity");
  var close = document.createElement("button");
  close.type = "button";
  close.className = "panel-close";
  close.textContent = "\u00d7";
  close.title = "Close";
  close.setAttribute("aria-label", "Close the panel");
  close.addEventListener("click", function () { panel.hidden = true; panelFor = null; });
  var content = document.createElement("div");
  content.className = "panel-content";
  panel.appendChild(close);
  panel.appendChild(content);
  document.addEventListener("keydown", function (event) { if (event.key === "Escape") { panel.hidden = true; panelFor = null; } });

  function openPanel(layout, node) {
    var query = "page=" + encodeURIComponent(page) + "&layout=" + encodeURIComponent(layout) + "&node=" + encodeURIComponent(node);
    get("/live/panel?" + query).then(function (text) {
      var body = new DOMParser().parseFromString(text, "text/html").body;
      content.replaceChildren.apply(content, Array.prototype.slice.call(body.childNodes).map(function (n) { return document.adoptNode(n); }));
      panel.hidden = false;
      panelFor = { layout: layout, node: node };
      var id = (content.querySelector("[data-activity]") || {}).getAttribute ? content.querySelector("[data-activity]").getAttribute("data-activity") : null;
      if (id) { panelFor = { layout: "", node: id }; }
    }).catch(function () { /* no such activity any more: leave the panel as it was */ });
  }

  /* A click on a node of a diagram (not the end of a drag, which pans). */
  function nodeOf(target) {
    var g = target && target.closest ? target.closest("g.node") : null;
    if (!g) { return null; }
    var figure = g.closest("figure.diagram");
    if (!figure) { return null; }
    var layout = figure.id.replace(/^diagram-/, "");
    if (layout === "landscape") { return /^pt-/.test(g.id) ? [layout, g.id] : null; }
    var title = g.querySelector("title");
    var key = title ? title.textContent.trim() : "";
    return /^a\d+$/.test(key) ? [layout, key] : null;
  }

  function wire(root) {
    Array.prototype.slice.call(root.querySelectorAll(".svg-frame")).forEach(function (frame) {
      var down = null;
      frame.addEventListener("pointerdown", function (event) { down = { x: event.clientX, y: event.clientY, target: event.target }; }, true);
      frame.addEventListener("pointerup", function (event) {
        if (!down) { return; }
        var moved = Math.abs(event.clientX - down.x) + Math.abs(event.clientY - down.y);
        var found = moved < 5 ? nodeOf(down.target) : null;
        down = null;
        if (found) { openPanel(found[0], found[1]); }
      }, true);
    });
    Array.prototype.slice.call(root.querySelectorAll("li.activity-item > .activity-head")).forEach(function (head) {
      head.classList.add("clickable");
      head.addEventListener("click", function () { openPanel("", head.parentNode.id.replace(/^a-/, "")); });
    });
    /* the segment switch: swap the page for the chosen view in place, keeping zoom and pan */
    Array.prototype.slice.call(root.querySelectorAll(".segment-switch a")).forEach(function (link) {
      link.addEventListener("click", function (event) {
        event.preventDefault();
        if (!updating) { update(link.getAttribute("href")); }
      });
    });
  }

  function start() {
    document.body.appendChild(panel);
    wire(document);
    window.setInterval(poll, POLL_MS);
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
}());
