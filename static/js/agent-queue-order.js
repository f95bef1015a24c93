// The queue's order for the ticket page: which tickets it lists, in order, and its address and scroll, kept in
// sessionStorage when the agent opens a ticket, so j/k there go to the next/previous ticket and Esc comes back
// to the same filters at the same place (agent-ticket.js reads it).
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
  }

  restore();
  // pagehide covers links, keys (o, Enter, r, n) and the back button alike; the click keeps it fresh first.
  window.addEventListener("pagehide", record);
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("#queue-rows a")) record();
  });
})();
