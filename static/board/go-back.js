// The error page's "back to the page you were writing on": history.back() returns to the form
// as the browser left it, typed text included. Hidden without JavaScript (the page says how).
(function () {
  "use strict";
  var button = document.querySelector("button.go-back");
  if (!button || window.history.length < 2) {
    return;
  }
  button.hidden = false;
  button.addEventListener("click", function () {
    window.history.back();
  });
})();
