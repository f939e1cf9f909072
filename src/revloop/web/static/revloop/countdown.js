// Keeps every [data-due] deadline on the page counting down, once a second.
// The server renders the same text; this only keeps it live between reloads.
(function () {
  "use strict";
  function pad(n) { return String(n).padStart(2, "0"); }
  function format(ms) {
    var total = Math.floor(Math.abs(ms) / 1000);
    var hours = Math.floor(total / 3600);
    var rest = total % 3600;
    return hours + "h " + pad(Math.floor(rest / 60)) + "m " + pad(rest % 60) + "s";
  }
  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-due]").forEach(function (el) {
      var left = Date.parse(el.dataset.due) - now;
      if (isNaN(left)) { return; }
      el.textContent = format(left) + (left >= 0 ? " left" : " overdue");
      var row = el.closest("tr");
      if (row && left < 0) { row.classList.add("overdue"); }
    });
  }
  tick();
  setInterval(tick, 1000);
})();
