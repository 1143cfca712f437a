// The article editor's desk (blog/admin/desk.py, docs/editors.md): a plain textarea
// made faster by this one script. Presence heartbeat, autosave to the server every 30 s
// and on leaving the page, a copy in this browser for an expired session, the live
// preview, a keyboard-friendly toolbar, word count, and images pasted or dropped into
// the text. Without it the form still saves, previews and restores autosaves.
(function () {
  "use strict";
  var desk = document.getElementById("desk");
  var form = document.querySelector("form.article-form");
  if (!desk || !form) return;
  var body = form.querySelector("#body");
  var title = form.querySelector("#title");
  var summary = form.querySelector("#summary");
  var base = form.querySelector("input[name=base_version]");
  var csrf = form.querySelector("input[name=csrf_token]");
  var statusLine = desk.querySelector(".desk-status");
  var presence = desk.querySelector(".desk-presence");
  if (!body || !title || !csrf) return;

  var STORE = "desk:" + desk.getAttribute("data-key");
  var NEW_STORE = "desk:" + (desk.getAttribute("data-new") || "/admin/articles/new");
  var SECONDS = 30;
  var submitting = false;
  var serverFailing = false;

  function say(text) { if (statusLine) statusLine.textContent = text; }
  function clock(date) {
    return ("0" + date.getHours()).slice(-2) + ":" + ("0" + date.getMinutes()).slice(-2);
  }
  function fields() {
    return { title: title.value, summary: summary ? summary.value : "", body: body.value,
             base: base ? base.value : "" };
  }
  function same(a, b) { return a.title === b.title && a.summary === b.summary && a.body === b.body; }
  function post(url, data) {
    data.append("csrf_token", csrf.value);
    // "manual": a signed-out session answers with a redirect to the login page.
    return fetch(url, { method: "POST", body: data, credentials: "same-origin",
                        redirect: "manual", headers: { "Accept": "application/json" } })
      .then(function (r) {
        if (!r.ok) {
          return r.json().catch(function () { return {}; }).then(function (j) {
            throw new Error(j.error || "signed-out");
          });
        }
        return r.json();
      });
  }
  function debounce(fn, ms) {
    var timer = null;
    return function () { window.clearTimeout(timer); timer = window.setTimeout(fn, ms); };
  }
  function readStore(key) {
    try { return JSON.parse(window.localStorage.getItem(key) || "null"); } catch (e) { return null; }
  }
  function dropStore(key) { try { window.localStorage.removeItem(key); } catch (e) { /* off */ } }

  // ------------------------------------------------------------ the copy in this browser
  var keep = debounce(function () {
    var copy = fields();
    copy.at = Date.now();
    try { window.localStorage.setItem(STORE, JSON.stringify(copy)); } catch (e) { /* full */ }
  }, 500);

  function offerBrowserCopy() {
    var now = fields();
    [STORE, NEW_STORE].forEach(function (key) {
      var copy = readStore(key);
      if (copy && same(copy, now)) dropStore(key);
    });
    var copy = readStore(STORE);
    if (!copy || document.querySelector(".conflict")) return;
    var box = document.createElement("div");
    box.className = "desk-browser-copy notice";
    var text = document.createElement("p");
    text.textContent = "Restore the text kept in this browser from " + clock(new Date(copy.at)) +
      "? It was not saved to the site (the session may have expired).";
    var restore = document.createElement("button");
    restore.type = "button";
    restore.textContent = "Restore it into the editor";
    var discard = document.createElement("button");
    discard.type = "button";
    discard.textContent = "Discard it";
    restore.addEventListener("click", function () {
      title.value = copy.title;
      if (summary) summary.value = copy.summary;
      body.value = copy.body;
      // The version it was typed over: saving it after a colleague's save shows both texts.
      if (base && copy.base) base.value = copy.base;
      box.remove();
      say("Restored the text kept in this browser. Save to keep it.");
      refresh();
      body.focus();
    });
    discard.addEventListener("click", function () { dropStore(STORE); box.remove(); });
    box.appendChild(text);
    box.appendChild(restore);
    box.appendChild(document.createTextNode(" "));
    box.appendChild(discard);
    desk.appendChild(box);
  }

  // ------------------------------------------------------------ presence and autosave
  var heartbeatUrl = desk.getAttribute("data-heartbeat");
  var autosaveUrl = desk.getAttribute("data-autosave");
  var lastSent = fields();

  function showPresence(editors) {
    if (!presence) return;
    presence.textContent = "";
    editors.forEach(function (e) {
      var p = document.createElement("p");
      p.className = "warning";
      p.textContent = e.name + " is editing (since " + e.since + "). Your saves will not " +
        "overwrite theirs: a save after theirs shows both texts.";
      presence.appendChild(p);
    });
  }
  function heartbeat() {
    if (!heartbeatUrl || document.hidden) return;
    post(heartbeatUrl, new FormData()).then(function (j) { showPresence(j.editors || []); })
      .catch(function () { /* the autosave reports a signed-out session */ });
  }
  function autosaveData(now) {
    var data = new FormData();
    data.append("title", now.title);
    data.append("summary", now.summary);
    data.append("body", now.body);
    data.append("base_version", now.base);
    return data;
  }
  function autosave() {
    var now = fields();
    if (!autosaveUrl || submitting || same(now, lastSent)) return;
    post(autosaveUrl, autosaveData(now)).then(function (j) {
      lastSent = now;
      serverFailing = false;
      say("Autosaved at " + j.at + ".");
      if (same(now, fields())) dropStore(STORE);
    }).catch(function () {
      serverFailing = true;
      say("Not autosaved: you may have been signed out. Your text is kept in this " +
          "browser and offered again after you sign in.");
    });
  }
  function leave() {
    var now = fields();
    if (!autosaveUrl || submitting || same(now, lastSent) || !navigator.sendBeacon) return;
    var data = autosaveData(now);
    data.append("csrf_token", csrf.value);
    if (navigator.sendBeacon(autosaveUrl, data) && !serverFailing) {
      lastSent = now;
    }
  }

  // ------------------------------------------------------------ live preview and counts
  var renderUrl = desk.getAttribute("data-render");
  var field = body.closest(".field");
  var split = document.createElement("div");
  split.className = "desk-split";
  var preview = document.createElement("section");
  preview.className = "desk-preview";
  preview.setAttribute("aria-label", "Live preview");
  var previewHeading = document.createElement("h2");
  previewHeading.className = "desk-preview-heading";
  previewHeading.textContent = "Live preview";
  var previewBody = document.createElement("div");
  previewBody.className = "prose article-body";
  var counts = document.createElement("p");
  counts.className = "desk-counts";
  counts.setAttribute("aria-live", "polite");
  preview.appendChild(previewHeading);
  preview.appendChild(previewBody);
  if (field) {
    field.parentNode.insertBefore(split, field);
    split.appendChild(field);
    split.appendChild(preview);
    field.appendChild(counts);
  }
  function refresh() {
    if (!renderUrl) return;
    var data = new FormData();
    data.append("body", body.value);
    post(renderUrl, data).then(function (j) {
      previewBody.innerHTML = j.html; // sanitized by the site's pipeline (nh3)
      counts.textContent = j.words + (j.words === 1 ? " word" : " words") + " · " +
        j.minutes + " min read";
    }).catch(function () { /* the autosave reports a signed-out session */ });
  }
  var refreshSoon = debounce(refresh, 600);

  // ------------------------------------------------------------ toolbar
  function wrap(before, after, placeholder) {
    var start = body.selectionStart, end = body.selectionEnd;
    var chosen = body.value.slice(start, end) || placeholder;
    body.setRangeText(before + chosen + after, start, end, "end");
    body.setSelectionRange(start + before.length, start + before.length + chosen.length);
    body.focus();
    changed();
  }
  function prefixLines(prefix) {
    var start = body.value.lastIndexOf("\n", body.selectionStart - 1) + 1;
    var end = body.selectionEnd;
    var lines = body.value.slice(start, end).split("\n").map(function (line) {
      return line.indexOf(prefix) === 0 ? line : prefix + line;
    });
    body.setRangeText(lines.join("\n"), start, end, "end");
    body.focus();
    changed();
  }
  function link() {
    var url = window.prompt("Address of the link (https://…)", "https://");
    if (!url) { body.focus(); return; }
    wrap("[", "](" + url + ")", "link text");
  }
  var tools = [
    ["Heading", "H", function () { prefixLines("## "); }, ""],
    ["Bold", "B", function () { wrap("**", "**", "bold text"); }, "Control+B"],
    ["Italic", "I", function () { wrap("*", "*", "italic text"); }, "Control+I"],
    ["Link", "Link", link, "Control+K"],
    ["Bulleted list", "List", function () { prefixLines("- "); }, ""],
    ["Quote", "Quote", function () { prefixLines("> "); }, ""]
  ];
  var bar = document.createElement("div");
  bar.className = "desk-toolbar";
  bar.setAttribute("role", "toolbar");
  bar.setAttribute("aria-label", "Formatting");
  bar.setAttribute("aria-controls", "body");
  var buttons = tools.map(function (tool, i) {
    var b = document.createElement("button");
    b.type = "button";
    b.textContent = tool[1];
    b.setAttribute("aria-label", tool[0]);
    b.title = tool[0] + (tool[3] ? " (" + tool[3].replace("Control", "Ctrl") + ")" : "");
    if (tool[3]) b.setAttribute("aria-keyshortcuts", tool[3]);
    b.tabIndex = i === 0 ? 0 : -1;
    b.addEventListener("click", tool[2]);
    bar.appendChild(b);
    return b;
  });
  // One tab stop; arrow keys, Home and End move along it (the WAI-ARIA toolbar pattern).
  bar.addEventListener("keydown", function (event) {
    var i = buttons.indexOf(document.activeElement);
    if (i < 0) return;
    var next = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: buttons.length - 1 }[event.key];
    if (next === undefined) return;
    event.preventDefault();
    next = (next + buttons.length) % buttons.length;
    buttons[i].tabIndex = -1;
    buttons[next].tabIndex = 0;
    buttons[next].focus();
  });
  body.parentNode.insertBefore(bar, body);
  body.addEventListener("keydown", function (event) {
    if (!(event.ctrlKey || event.metaKey) || event.altKey) return;
    var key = event.key.toLowerCase();
    var action = { b: tools[1][2], i: tools[2][2], k: link }[key];
    if (action) { event.preventDefault(); action(); }
  });

  // ------------------------------------------------------------ images pasted or dropped
  var imagesUrl = desk.getAttribute("data-images");
  function upload(file) {
    var alt = window.prompt("Describe the image for readers who cannot see it:", "");
    if (alt === null) { say("Image not added."); return; }
    alt = alt.replace(/[\[\]\n]/g, " ").trim();
    var marker = "![Uploading " + (file.name || "image") + "…]()";
    body.setRangeText(marker, body.selectionStart, body.selectionEnd, "end");
    say("Uploading the image…");
    var data = new FormData();
    data.append("image", file, file.name || "pasted.png");
    post(imagesUrl, data).then(function (j) {
      body.value = body.value.replace(marker, "![" + alt + "](" + j.src + ")");
      say("Image uploaded and inserted.");
      changed();
    }).catch(function (err) {
      body.value = body.value.replace(marker, "");
      say("The image was not uploaded: " + err.message);
    });
  }
  function images(list) {
    var found = Array.prototype.filter.call(list || [], function (f) {
      return f.type && f.type.indexOf("image/") === 0;
    });
    found.forEach(upload);
    return found.length > 0;
  }
  body.addEventListener("paste", function (event) {
    if (event.clipboardData && images(event.clipboardData.files)) event.preventDefault();
  });
  body.addEventListener("dragover", function (event) { event.preventDefault(); });
  body.addEventListener("drop", function (event) {
    if (!event.dataTransfer || !event.dataTransfer.files.length) return;
    event.preventDefault();
    body.focus();
    images(event.dataTransfer.files);
  });

  // ------------------------------------------------------------ wiring
  function changed() { keep(); refreshSoon(); }
  [title, summary, body].forEach(function (el) { if (el) el.addEventListener("input", changed); });
  form.addEventListener("submit", function () { submitting = true; });
  window.addEventListener("pagehide", leave);
  document.addEventListener("visibilitychange", function () {
    if (document.hidden) leave(); else heartbeat();
  });
  offerBrowserCopy();
  refresh();
  heartbeat();
  window.setInterval(heartbeat, SECONDS * 1000);
  window.setInterval(autosave, SECONDS * 1000);
})();
