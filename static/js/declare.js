// The declaration wizard: photo preview before upload, and a confirmation before destructive buttons.
document.addEventListener("change", function (event) {
  const input = event.target;
  if (input.id !== "photo" || !input.files || !input.files[0]) { return; }
  const preview = document.getElementById("photo-preview");
  const placeholder = document.getElementById("photo-placeholder");
  if (!preview) { return; }
  preview.src = URL.createObjectURL(input.files[0]);
  preview.hidden = false;
  if (placeholder) { placeholder.hidden = true; }
});

document.addEventListener("submit", function (event) {
  const form = event.target;
  const question = form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) { event.preventDefault(); }
});

// Uploads can take a while on a slow line: show that the browser is working.
document.addEventListener("submit", function (event) {
  const form = event.target;
  if (event.defaultPrevented || form.enctype !== "multipart/form-data") { return; }
  const button = form.querySelector("button[type=submit]");
  if (button) { button.setAttribute("aria-busy", "true"); button.dataset.label = button.textContent; button.textContent = "正在上传…"; }
});
