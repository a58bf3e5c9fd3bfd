// Confirmation before destructive or irreversible buttons (删除, 初始化密码); the server does not rely on it.
document.addEventListener("click", function (event) {
  const button = event.target.closest("[data-confirm]");
  if (button && !window.confirm(button.getAttribute("data-confirm"))) {
    event.preventDefault();
    event.stopImmediatePropagation();
  }
}, true);

// 上级主管单位 follows 单位性质 at once: disabled and cleared for natures without one (the server clears it on
// save too, so nothing depends on this script).
document.addEventListener("change", function (event) {
  if (event.target.name !== "nature" || !event.target.hasAttribute("data-with-supervisor")) { return; }
  const allowed = event.target.getAttribute("data-with-supervisor").split(",");
  const block = document.getElementById("supervisor-block");
  if (!block) { return; }
  const enabled = allowed.indexOf(event.target.value) !== -1;
  block.classList.toggle("is-disabled", !enabled);
  block.querySelectorAll("input, button").forEach(function (el) { el.disabled = !enabled; });
  const shown = document.getElementById("supervisor_name");
  shown.placeholder = enabled ? "未选择" : "当前单位性质不可以选择主管单位";
  if (!enabled) {
    shown.value = "";
    block.querySelectorAll('input[name="supervisor"]').forEach(function (el) { el.remove(); });
    document.getElementById("supervisor-results").innerHTML = "";
  }
});

// 「全选」 ticks every row checkbox of its form (批量审核通过).
document.addEventListener("change", function (event) {
  const name = event.target.getAttribute("data-select-all");
  if (!name) { return; }
  event.target.form.querySelectorAll('input[type=checkbox][name="' + name + '"]').forEach(function (box) {
    box.checked = event.target.checked;
  });
});
