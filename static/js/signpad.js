// Phone signature pad of 「二维码签字」: draw with a finger or mouse, send the drawing as a PNG data URL.
(function () {
  const canvas = document.getElementById("pad");
  if (!canvas) { return; }
  const ctx = canvas.getContext("2d");
  const form = document.getElementById("pad-form");
  let drawing = false;
  let drawn = false;
  let last = null;

  ctx.lineWidth = 6;
  ctx.lineCap = "round";
  ctx.lineJoin = "round";
  ctx.strokeStyle = "#111";

  function point(event) {
    const box = canvas.getBoundingClientRect();
    return { x: (event.clientX - box.left) * canvas.width / box.width,
             y: (event.clientY - box.top) * canvas.height / box.height };
  }
  canvas.addEventListener("pointerdown", function (event) {
    drawing = true;
    last = point(event);
    canvas.setPointerCapture(event.pointerId);
    event.preventDefault();
  });
  canvas.addEventListener("pointermove", function (event) {
    if (!drawing) { return; }
    const next = point(event);
    ctx.beginPath();
    ctx.moveTo(last.x, last.y);
    ctx.lineTo(next.x, next.y);
    ctx.stroke();
    last = next;
    drawn = true;
    event.preventDefault();
  });
  ["pointerup", "pointercancel", "pointerleave"].forEach(function (name) {
    canvas.addEventListener(name, function () { drawing = false; });
  });
  document.getElementById("pad-clear").addEventListener("click", function () {
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    drawn = false;
  });
  form.addEventListener("submit", function () {
    // An empty pad sends nothing, and the server answers 「请先在签字板上签字」.
    document.getElementById("signature").value = drawn ? canvas.toDataURL("image/png") : "";
  });
})();
