// The bookmarklet page's copy button: on a phone the code is pasted into a bookmark's address,
// and selecting 1,500 characters in a text box by hand is where people give up.
(function () {
  "use strict";
  var button = document.getElementById("bm-copy");
  var code = document.getElementById("bm-code");
  var status = document.getElementById("bm-copy-status");
  if (!button || !code || !status) return;
  function done(ok) { status.textContent = ok ? button.dataset.copied : button.dataset.failed; }
  button.addEventListener("click", function () {
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(code.value).then(function () { done(true); }, fallback);
    } else {
      fallback();
    }
  });
  function fallback() {  // plain http or an old browser: select the text and copy it
    code.focus();
    code.select();
    code.setSelectionRange(0, code.value.length);
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    done(ok);
  }
})();
