/* Wuye: wiring between HTMX, Bootstrap modals and Tom Select. No build step. */
(function () {
  "use strict";

  function enhance(root) {
    if (!window.TomSelect) return;
    root.querySelectorAll("select[data-tom-select]:not(.tomselected)").forEach(function (el) {
      new TomSelect(el, { maxOptions: 500, plugins: el.multiple ? ["remove_button"] : [] });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { enhance(document); });
  document.addEventListener("htmx:afterSwap", function (evt) {
    enhance(evt.detail.target);
    if (evt.detail.target.id === "modal-content") {
      var bs = window.bootstrap || window.tabler;  // Tabler's bundle exposes Bootstrap as window.tabler
      bs.Modal.getOrCreateInstance(document.getElementById("modal")).show();
    }
  });
  // Links marked data-modal open their form in the shared modal.
  document.addEventListener("click", function (evt) {
    var link = evt.target.closest("a[data-modal]");
    if (!link || !window.htmx) return;
    evt.preventDefault();
    htmx.ajax("GET", link.getAttribute("href"), { target: "#modal-content" });
  });
  // Keep 4xx form responses (validation errors) in place instead of discarding them.
  document.addEventListener("htmx:beforeSwap", function (evt) {
    if (evt.detail.xhr.status === 422) { evt.detail.shouldSwap = true; evt.detail.isError = false; }
  });
})();
