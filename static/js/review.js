// Review console: open the action dialog htmx loaded, close it when the row came back.
(function () {
  function current() { return document.getElementById("action-dialog"); }

  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "dialog-host") {
      const dialog = current();
      if (dialog && !dialog.open) { dialog.showModal(); }
      const first = dialog && dialog.querySelector("textarea, input:not([type=hidden]), button.primary");
      if (first) { first.focus(); }
    }
  });

  document.addEventListener("closeDialog", function () {
    const dialog = current();
    if (dialog && dialog.open) { dialog.close(); }
  });

  document.addEventListener("click", function (event) {
    const link = event.target.closest("[data-close-dialog]");
    const dialog = current();
    if (link && dialog && dialog.open) {
      event.preventDefault();
      dialog.close();
    }
  });
})();
