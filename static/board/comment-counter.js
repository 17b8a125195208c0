// The comment box's live count: "123 / 2000자". Counted as the server counts (board/forms.py
// CommentForm): line breaks as one, the spaces around the text trimmed, one per character.
// Without JavaScript the box's maxlength and the server's check still hold the limit.
(function () {
  "use strict";
  var template = document.documentElement.lang === "en" ? "%n / %m characters" : "%n / %m자";
  function count(box, output) {
    var max = Number(box.getAttribute("data-counter"));
    var used = Array.from(box.value.replace(/\r\n?/g, "\n").trim()).length;
    output.textContent = template.replace("%n", used).replace("%m", max);
    output.classList.toggle("over", used > max);
  }
  var outputs = document.querySelectorAll(".char-count[data-for]");
  Array.prototype.forEach.call(outputs, function (output) {
    var box = document.getElementById(output.getAttribute("data-for"));
    if (!box || !box.hasAttribute("data-counter")) {
      return;
    }
    box.setAttribute("aria-describedby", output.id);
    box.addEventListener("input", function () {
      count(box, output);
    });
    count(box, output);
  });
})();
