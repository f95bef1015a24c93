// The queue's order for the ticket page: which tickets it lists, in order, and its address and scroll, kept in
// sessionStorage when the agent opens a ticket, so j/k there go to the next/previous ticket and Esc comes back
// to the same filters at the same place, the ticket just left highlighted (agent-ticket.js reads and marks it).
(function () {
  "use strict";
  var KEY = "agent-queue";

  function record() {
    var rows = Array.prototype.slice.call(document.querySelectorAll("#queue-rows .queue-row[data-reference]"));
    var state = {
      url: window.location.pathname + window.location.search,
      scroll: window.scrollY,
      refs: rows.map(function (row) { return row.dataset.reference; }),
      urls: rows.map(function (row) { return row.dataset.url; })
    };
    try { window.sessionStorage.setItem(KEY, JSON.stringify(state)); } catch (e) { /* storage off: keys do less */ }
  }

  function restore() {
    var state = null;
    try { state = JSON.parse(window.sessionStorage.getItem(KEY) || "null"); } catch (e) { return; }
    if (!state || !state.returning || state.url !== window.location.pathname + window.location.search) return;
    state.returning = false;
    window.sessionStorage.setItem(KEY, JSON.stringify(state));
    window.scrollTo(0, state.scroll || 0);
    current(state.current);
  }

  // The ticket just left is the current row again (agent-queue.js adopts it), so j goes on from it.
  function current(reference) {
    var row = Array.prototype.filter.call(document.querySelectorAll("#queue-rows .queue-row[data-reference]"), function (r) {
      return r.dataset.reference === reference;
    })[0];
    if (!row) return;
    row.classList.add("current");
    row.setAttribute("aria-current", "true");
    var link = row.querySelector(".ticket-link");
    if (link) link.focus({ preventScroll: true });
    var box = row.getBoundingClientRect();
    if (box.top < 0 || box.bottom > window.innerHeight) row.scrollIntoView({ block: "center" });
  }

  restore();
  // pagehide covers links, keys (o, Enter, r, n) and the back button alike; the click keeps it fresh first.
  window.addEventListener("pagehide", record);
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("#queue-rows a")) record();
  });
})();
