// A pasted #comment-N whose comment is on another comment page: go to the comment's lasting
// address (/comments/N/), which answers with the page that holds it. Without JavaScript the
// site's own links are that address already.
(function () {
  "use strict";
  var match = /^#comment-(\d+)$/.exec(window.location.hash);
  var comments = document.getElementById("comments");
  if (!match || !comments || document.getElementById("comment-" + match[1])) {
    return;
  }
  // "/comments/0/" with the site's prefix: the comment's number in place of the 0.
  var link = comments.getAttribute("data-comment-link");
  window.location.replace(link.replace(/0\/$/, match[1] + "/"));
})();
