/* Wuye: wiring between HTMX, Bootstrap modals and Tom Select. No build step. */
(function () {
  "use strict";

  function enhance(root) {
    if (!window.TomSelect) return;
    root.querySelectorAll("select[data-tom-select]:not(.tomselected)").forEach(function (el) {
      new TomSelect(el, { maxOptions: 500, plugins: el.multiple ? ["remove_button"] : [] });
    });
    root.querySelectorAll("select[data-autocomplete-url]:not(.tomselected)").forEach(autocomplete);
  }

  // AutocompleteSelect (wuye.core.widgets): the page renders the selected option only; the others
  // come from the API list endpoint (?q=typed text, plus the values of the forwarded fields).
  function forwarded(el) {
    return (el.dataset.autocompleteForward || "").split(",").filter(Boolean).map(function (pair) {
      var parts = pair.split("=");
      return { param: parts[0], field: parts[1] || parts[0] };
    });
  }

  function autocomplete(el) {
    var ts = new TomSelect(el, {
      valueField: "id",
      labelField: el.dataset.labelField || "display",
      searchField: [],
      allowEmptyOption: true,
      maxOptions: 50,
      preload: "focus",
      loadThrottle: 250,
      shouldLoad: function () { return true; },
      score: function () { return function () { return 1; }; },  // the server has filtered
      load: function (query, callback) {
        var url = new URL(el.dataset.autocompleteUrl, window.location.href);
        url.searchParams.set(el.dataset.autocompleteParam || "q", query);
        url.searchParams.set("page_size", "50");
        forwarded(el).forEach(function (f) {
          var field = el.form && el.form.elements[f.field];
          if (field && field.value) url.searchParams.set(f.param, field.value);
        });
        fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
          .then(function (r) { return r.ok ? r.json() : { results: [] }; })
          .then(function (data) { callback(data.results || data); })
          .catch(function () { callback(); });
      },
    });
    el.wuyeAutocomplete = ts;
  }

  // A forwarded field changed (a building was chosen): the dependent autocompletes start again, and
  // lose their value before the form is submitted (capture phase: before HTMX reads the form).
  document.addEventListener("change", function (evt) {
    var form = evt.target.form, name = evt.target.name;
    if (!form || !name) return;
    form.querySelectorAll("select[data-autocomplete-forward]").forEach(function (el) {
      if (el === evt.target || !el.wuyeAutocomplete) return;
      if (!forwarded(el).some(function (f) { return f.field === name; })) return;
      var ts = el.wuyeAutocomplete;
      ts.clear(true);
      ts.clearOptions();
      ts.wrapper.classList.remove("preloaded");
    });
  }, true);

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
