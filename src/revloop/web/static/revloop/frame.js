// What every page shares, kept out of the HTML so the content security policy can
// forbid inline script: the collapsible menu on small screens, and pickers that apply
// as soon as they change (each form keeps a submit button for use without script).
(function () {
  "use strict";
  function setUpMenu() {
    var bar = document.querySelector("[data-topbar]");
    var toggle = bar && bar.querySelector(".nav-toggle");
    if (!toggle) { return; }
    // Without this script the menu simply wraps; with it, it folds behind the button.
    bar.classList.add("collapsible");
    toggle.hidden = false;
    toggle.addEventListener("click", function () {
      var open = toggle.getAttribute("aria-expanded") !== "true";
      toggle.setAttribute("aria-expanded", String(open));
      bar.classList.toggle("open", open);
    });
  }
  // A picker's form carries the page's other choices as hidden inputs (data-kept). The
  // address bar may have moved on since the page was drawn (htmx pushes a section's
  // choice there), so bring them up to date before the form is sent.
  function syncKept(form) {
    var own = {};
    Array.prototype.forEach.call(form.elements, function (field) {
      if (field.name && !field.hasAttribute("data-kept")) { own[field.name] = true; }
    });
    new URLSearchParams(window.location.search).forEach(function (value, key) {
      if (own[key] || key === "csv") { return; }
      var kept = form.querySelector('input[data-kept][name="' + CSS.escape(key) + '"]');
      if (!kept) {
        kept = document.createElement("input");
        kept.type = "hidden";
        kept.name = key;
        kept.setAttribute("data-kept", "");
        form.appendChild(kept);
      }
      kept.value = value;
    });
  }
  // Capturing: runs before htmx reads the form on the same change.
  document.addEventListener("change", function (event) {
    var form = event.target.form;
    if (form && form.method === "get") { syncKept(form); }
  }, true);
  document.addEventListener("submit", function (event) {
    if (event.target.method === "get") { syncKept(event.target); }
  }, true);
  document.addEventListener("change", function (event) {
    var form = event.target.closest && event.target.closest("form[data-autosubmit]");
    if (!form || form.hasAttribute("hx-get")) { return; }
    form.requestSubmit();
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUpMenu);
  } else {
    setUpMenu();
  }
})();
