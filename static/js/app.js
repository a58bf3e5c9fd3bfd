// Small progressive enhancements; every page works without this file.
document.addEventListener("htmx:responseError", function (event) {
  const status = event.detail.xhr.status;
  if (status === 401) { window.location.reload(); }
});
