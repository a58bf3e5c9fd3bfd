// Confirmation before destructive or irreversible buttons (删除, 初始化密码); the server does not rely on it.
document.addEventListener("click", function (event) {
  const button = event.target.closest("[data-confirm]");
  if (button && !window.confirm(button.getAttribute("data-confirm"))) {
    event.preventDefault();
    event.stopImmediatePropagation();
  }
}, true);

// 上级主管单位 follows 单位性质 at once, before the server answers the htmx request that redraws it.
document.addEventListener("change", function (event) {
  if (event.target.name !== "nature") { return; }
  const allowed = (event.target.getAttribute("data-with-supervisor") || "").split(",");
  const block = document.getElementById("supervisor-block");
  if (!block) { return; }
  const enabled = allowed.indexOf(event.target.value) !== -1;
  block.querySelectorAll("input, button").forEach(function (el) { el.disabled = !enabled; });
});

// 「全选」 ticks every row checkbox of its form (批量审核通过).
document.addEventListener("change", function (event) {
  const name = event.target.getAttribute("data-select-all");
  if (!name) { return; }
  event.target.form.querySelectorAll('input[type=checkbox][name="' + name + '"]').forEach(function (box) {
    box.checked = event.target.checked;
  });
});
