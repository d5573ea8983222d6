// Progressive enhancement for the paste box (the form works without it): a long or
// multi-line paste is a whole message, sent by POST so that it neither exceeds the server's
// request-line limit nor ends up in access logs as part of a URL.
(function () {
  "use strict";
  var form = document.getElementById("check-form");
  var box = document.getElementById("input");
  if (!form || !box) {
    return;
  }
  form.addEventListener("submit", function () {
    var text = box.value;
    form.method = (text.length > 1000 || /\n\s*\S/.test(text.trim())) ? "post" : "get";
  });
})();
