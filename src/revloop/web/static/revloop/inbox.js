// A refused row action (403: the lead was reassigned meanwhile; 404: it is gone)
// would otherwise do nothing visible: say so in the row instead.
document.addEventListener("htmx:responseError", function (event) {
  "use strict";
  var row = event.detail.elt.closest("tr");
  if (!row) { return; }
  var status = event.detail.xhr.status;
  var note = row.querySelector(".row-error") || document.createElement("span");
  note.className = "error row-error";
  note.setAttribute("role", "alert");
  note.textContent = status === 403
    ? " You may not act on this lead any more (it may have changed hands): reload the inbox."
    : " That did not work (" + status + "): reload the inbox and try again.";
  row.cells[0].appendChild(note);
});
