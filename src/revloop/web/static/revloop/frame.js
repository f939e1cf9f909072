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
