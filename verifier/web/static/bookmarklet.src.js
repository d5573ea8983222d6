/* The TokenPocket channel checker's bookmarklet (readable source).
 *
 * Clicked on any page, it reads the page (never what was typed into it), builds the compact
 * page summary of verifier/page.py (version 1), and opens this service's /check for the
 * page's address in a new tab. It injects no script and makes no request from the page,
 * so it works under a strict Content-Security-Policy. verifier/web/bookmarklet.py fills in
 * __ORIGIN__ and __SECRET_TERMS__ and minifies it: end every statement with ; or a brace.
 */
(function () {
  var ORIGIN = __ORIGIN__;
  var TERMS = __SECRET_TERMS__;
  var MAX_URL = 6000;
  var CONTACT = /^(mailto:|tel:)|^https?:\/\/([a-z0-9-]+\.)*(t\.me|telegram\.me|wa\.me|whatsapp\.com|qq\.com|discord\.gg|discord\.com|twitter\.com|x\.com|line\.me)(\/|$)/i;
  var d = document;
  var here = String(location.href);
  var target = here.length > 2000 ? String(location.origin + location.pathname).slice(0, 2000) : here;
  var s = {v: 1, title: String(d.title || "").slice(0, 200)};
  function hostOf(u) {
    try {
      var x = new URL(u, here);
      return (x.protocol === "http:" || x.protocol === "https:") ? x.hostname : "";
    } catch (e) {
      return "";
    }
  }
  function add(list, value, cap) {
    if (value && list.indexOf(value) < 0 && list.length < cap) {
      list.push(value);
    }
  }
  try {
    var i;
    var fields = d.querySelectorAll("input,textarea");
    var words = [String((d.body && d.body.innerText) || "").slice(0, 200000)];
    for (i = 0; i < fields.length && i < 2000; i++) {
      words.push(fields[i].getAttribute("placeholder") || "");
      words.push(fields[i].getAttribute("aria-label") || "");
    }
    var text = words.join(" ").toLowerCase();
    s.secret_terms = [];
    for (i = 0; i < TERMS.length; i++) {
      if (text.indexOf(TERMS[i].toLowerCase()) >= 0) {
        add(s.secret_terms, TERMS[i], 10);
      }
    }
    s.password_fields = d.querySelectorAll("input[type=password]").length;
    s.textareas = d.querySelectorAll("textarea").length;
    // A seed-phrase grid: many text boxes in one form, or side by side in one container.
    var boxes = d.querySelectorAll("input:not([type]),input[type=text],input[type=password],input[type=search],input[type=tel]");
    var groups = [];
    var counts = [];
    var best = 0;
    for (i = 0; i < boxes.length && i < 2000; i++) {
      var parent = boxes[i].parentElement;
      var group = boxes[i].form || (parent && parent.parentElement) || d.body;
      var k = groups.indexOf(group);
      if (k < 0) {
        groups.push(group);
        counts.push(0);
        k = groups.length - 1;
      }
      counts[k] += 1;
      best = Math.max(best, counts[k]);
    }
    s.grid_inputs = best;
    s.link_hosts = [];
    s.contact_links = [];
    var links = d.querySelectorAll("a[href]");
    for (i = 0; i < links.length && i < 5000; i++) {
      var link = String(links[i].href);
      if (CONTACT.test(link) && link.length <= 300) {
        add(s.contact_links, link, 10);
      }
      var h = hostOf(link);
      if (h && h !== location.hostname) {
        add(s.link_hosts, h, 30);
      }
    }
    s.form_hosts = [];
    var forms = d.querySelectorAll("form");
    for (i = 0; i < forms.length && i < 200; i++) {
      add(s.form_hosts, hostOf(forms[i].getAttribute("action") || here), 10);
    }
  } catch (e) {
    s = {v: 1, title: s.title};
  }
  function build(summary) {
    var url = ORIGIN + "/check?input=" + encodeURIComponent(target);
    return summary ? url + "&page=" + encodeURIComponent(JSON.stringify(summary)) : url;
  }
  var url = build(s);
  while (url.length > MAX_URL && s.link_hosts && (s.link_hosts.length || s.contact_links.length)) {
    if (s.link_hosts.length) {
      s.link_hosts.pop();
    } else {
      s.contact_links.pop();
    }
    url = build(s);
  }
  if (url.length > MAX_URL) {
    url = build(null);
  }
  window.open(url, "_blank", "noopener");
})();
