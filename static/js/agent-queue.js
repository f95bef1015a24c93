// The agent queue: keeps its rows fresh (a conditional GET of the rows fragment; unchanged costs a 304) every
// few seconds and as soon as the tab is shown again, shows the unread and total counts in the tab title and
// the views' unread badges, and lets an agent work it from the keyboard.
(function () {
  "use strict";
  var root = document.querySelector(".queue[data-rows-url]");
  if (!root) return;
  var form = document.getElementById("bulk-form");
  var dialog = document.getElementById("shortcuts");
  var etag = null;
  var current = null; // the reference of the highlighted row, kept across refreshes

  function rows() { return Array.prototype.slice.call(document.querySelectorAll("#queue-rows .queue-row")); }

  function setBadges(box) {
    var counts;
    try { counts = JSON.parse(box.dataset.unreadViews || "{}"); } catch (error) { return; }
    Array.prototype.forEach.call(document.querySelectorAll(".view-unread[data-view]"), function (badge) {
      var n = counts[badge.dataset.view] || 0;
      badge.hidden = !n;
      var number = badge.querySelector(".view-unread-n");
      if (number) number.textContent = n;
    });
  }

  function setTitle() {
    var box = document.getElementById("queue-rows");
    if (!box || box.dataset.count === undefined) return;
    var unread = parseInt(box.dataset.unread, 10) || 0;
    var prefix = unread ? root.dataset.unreadTemplate.replace("{n}", unread) + " · " : "";
    document.title = prefix + "(" + box.dataset.count + ") " + root.dataset.title;
    setBadges(box);
  }

  function highlight(row) {
    rows().forEach(function (r) { r.classList.remove("current"); r.removeAttribute("aria-current"); });
    if (!row) { current = null; return; }
    row.classList.add("current");
    row.setAttribute("aria-current", "true");
    current = row.dataset.reference;
    var link = row.querySelector(".ticket-link");
    if (link) link.focus({ preventScroll: false });
  }

  function currentRow() {
    if (current === null) {
      // Back from a ticket with Esc: agent-queue-order.js marked the row just left.
      var marked = document.querySelector("#queue-rows .queue-row.current");
      if (marked) current = marked.dataset.reference;
    }
    return rows().filter(function (r) { return r.dataset.reference === current; })[0] || null;
  }

  function move(step) {
    var list = rows();
    if (!list.length) return;
    var index = list.indexOf(currentRow());
    var next = index < 0 ? 0 : Math.min(Math.max(index + step, 0), list.length - 1);
    highlight(list[next]);
  }

  function checkedIds() {
    return Array.prototype.slice.call(form.querySelectorAll("input[name=ids]:checked")).map(function (box) { return box.value; });
  }

  // The bulk bar shows its controls and "N selected" only while some ticket is selected (without JavaScript
  // the controls simply stay visible).
  var count = form.querySelector(".bulk-count");
  function showSelection() {
    var n = checkedIds().length;
    form.classList.add("bulk-js");
    form.classList.toggle("has-selection", n > 0);
    if (count) count.textContent = n ? count.dataset.template.replace("{n}", n) : "";
  }
  form.addEventListener("change", function (event) {
    if (event.target.name === "ids") showSelection();
  });

  function replaceRows(html) {
    currentRow(); // adopt a row marked before the first key, or it is lost with the old rows
    var checked = checkedIds();
    var holder = document.createElement("div");
    holder.innerHTML = html;
    var fresh = holder.querySelector("#queue-rows");
    var old = document.getElementById("queue-rows");
    if (!fresh || !old) return;
    var known = {};
    rows().forEach(function (r) { known[r.dataset.ticket] = true; });
    old.replaceWith(fresh);
    rows().forEach(function (r) {
      if (!known[r.dataset.ticket]) r.classList.add("fresh");
      var box = r.querySelector("input[name=ids]");
      if (box && checked.indexOf(box.value) >= 0) box.checked = true;
    });
    var row = currentRow();
    if (row) { row.classList.add("current"); row.setAttribute("aria-current", "true"); }
    setTitle();
    showSelection();
  }

  var timer = null;
  var inFlight = false;

  function poll() {
    if (inFlight) return;
    inFlight = true;
    window.clearTimeout(timer);
    var headers = { "X-Requested-With": "fetch" };
    if (etag) headers["If-None-Match"] = etag;
    // no-store: the script, not the browser cache, sends the ETag, so a 304 reaches it as a 304.
    fetch(root.dataset.rowsUrl, { headers: headers, cache: "no-store", credentials: "same-origin" })
      .then(function (response) {
        if (response.status === 304) return null;
        if (!response.ok || response.redirected) return null; // signed out: the page says so on reload
        etag = response.headers.get("ETag");
        return response.text();
      })
      .then(function (html) { if (html) replaceRows(html); })
      .catch(function () { /* offline for a moment: the next poll tries again */ })
      .then(function () { inFlight = false; schedule(); });
  }

  function schedule() {
    var seconds = parseFloat(root.dataset.pollSeconds) || 20;
    window.clearTimeout(timer);
    timer = window.setTimeout(function () {
      if (document.hidden) { schedule(); return; }
      poll();
    }, seconds * 1000);
  }

  function assignToMe() {
    var ids = checkedIds();
    var row = currentRow();
    if (!ids.length && row) ids = [row.dataset.ticket];
    if (!ids.length) return;
    var target = document.getElementById("assign-me");
    ids.forEach(function (id) {
      var input = document.createElement("input");
      input.type = "hidden"; input.name = "ids"; input.value = id;
      target.appendChild(input);
    });
    target.submit();
  }

  function openCurrent(hash) {
    var row = currentRow();
    if (row) window.location.assign(row.dataset.url + (hash || ""));
  }

  function typing(target) {
    if (!target || !target.tagName) return false;
    var tag = target.tagName.toLowerCase();
    return tag === "input" || tag === "textarea" || tag === "select" || target.isContentEditable;
  }

  var keys = {
    j: function () { move(1); },
    k: function () { move(-1); },
    o: function () { openCurrent(""); },
    Enter: function () { openCurrent(""); },
    r: function () { openCurrent("#reply"); },
    n: function () { openCurrent("#note"); },
    a: assignToMe,
    x: function () {
      var row = currentRow();
      var box = row && row.querySelector("input[name=ids]");
      if (box) { box.checked = !box.checked; showSelection(); }
    },
    "?": function () { if (dialog.open) dialog.close(); else dialog.showModal(); }
  };

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    if (dialog.open && event.key !== "?") return;
    var action = keys[event.key];
    if (!action) return;
    event.preventDefault();
    action();
  });

  // Clicking a row makes it the current one, so the keyboard carries on from there.
  document.addEventListener("click", function (event) {
    var row = event.target.closest && event.target.closest(".queue-row");
    if (row) { current = row.dataset.reference; rows().forEach(function (r) { r.classList.toggle("current", r === row); }); }
  });

  // Back on the tab after a while: what arrived meanwhile shows at once, not at the next tick.
  document.addEventListener("visibilitychange", function () { if (!document.hidden) poll(); });

  var first = document.getElementById("queue-rows");
  if (first && first.dataset.version) etag = '"' + first.dataset.version + '"';
  setTitle();
  showSelection();
  schedule();
})();
