/* Parley's chat widget: plain JavaScript, no build step, nothing loaded from elsewhere.

   Embed:  <script src="https://bot.example/widget.js" data-server="https://bot.example"
                   data-title="Parley" data-initial-payload="/greet"></script>
   Options (data-*): server, title, color, text-color, initial-payload, open ("true" | "false"),
   placeholder, language, mode ("page": fill data-target instead of a floating launcher), target.

   Transport: messages are POSTed as JSON with a message id (a resend is de-duplicated by the server);
   bot messages arrive over Server-Sent Events read with fetch (so the session token travels in a
   header, never in a URL), resumed with Last-Event-ID. The session (token + id) is kept in
   localStorage, unsent messages too; on reload the server replays the conversation.
   Bot text is inserted as text (never as HTML); only http(s) links become clickable. */
(function () {
  "use strict";
  var script = document.currentScript;
  var data = (script && script.dataset) || {};
  var cfg = {
    server: (data.server || (script && script.src ? new URL(script.src, location.href).origin : location.origin)).replace(/\/+$/, ""),
    title: data.title || "Chat",
    color: data.color || "#2f5bea",
    textColor: data.textColor || "#ffffff",
    initialPayload: data.initialPayload || "",
    open: data.open === "true",
    placeholder: data.placeholder || "Type a message\u2026",
    language: data.language || "",
    page: data.mode === "page",
    target: data.target || ""
  };
  var KEY = "parley-widget:" + cfg.server;
  var state = { token: null, sessionId: null, lastId: -1, synced: false, outbox: [], pending: {}, delivered: {},
                flushing: false, online: false, failures: 0, sendFailed: false, wake: null };

  // ---------------------------------------------------------------- storage
  function load(name, fallback) {
    try { var v = localStorage.getItem(KEY + ":" + name); return v ? JSON.parse(v) : fallback; }
    catch (e) { return fallback; }
  }
  function save(name, value) {
    try { localStorage.setItem(KEY + ":" + name, JSON.stringify(value)); } catch (e) { /* private mode */ }
  }

  // ---------------------------------------------------------------- DOM
  var CSS = ":host{all:initial;font:15px/1.4 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#1d2330}" +
    "*{box-sizing:border-box}.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}" +
    ".launcher{position:fixed;right:20px;bottom:20px;width:56px;height:56px;border-radius:50%;border:0;cursor:pointer;" +
    "background:var(--c);color:var(--t);display:flex;align-items:center;justify-content:center;box-shadow:0 4px 14px rgba(0,0,0,.25);z-index:2147483000}" +
    ".panel{position:fixed;right:20px;bottom:88px;width:370px;height:560px;max-height:calc(100vh - 108px);display:flex;" +
    "flex-direction:column;background:#fff;border-radius:14px;box-shadow:0 8px 30px rgba(0,0,0,.25);overflow:hidden;z-index:2147483000}" +
    ".panel[hidden]{display:none}.page .panel{position:static;width:100%;height:100%;max-height:none;border-radius:0;box-shadow:none}" +
    "header{display:flex;align-items:center;gap:8px;padding:12px 14px;background:var(--c);color:var(--t)}" +
    "h2{flex:1;margin:0;font-size:16px}.status{font-size:12px;opacity:.85}.close{background:none;border:0;color:inherit;font-size:22px;cursor:pointer}" +
    ".log{flex:1;overflow-y:auto;padding:12px;display:flex;flex-direction:column;gap:8px;background:#f6f7f9}" +
    ".msg{max-width:85%;padding:8px 12px;border-radius:14px;white-space:pre-wrap;overflow-wrap:anywhere}" +
    ".bot{align-self:flex-start;background:#fff;border:1px solid #e2e5ea}.user{align-self:flex-end;background:var(--c);color:var(--t)}" +
    ".user.pending{opacity:.6}.msg a{color:inherit;text-decoration:underline}.msg img{display:block;max-width:100%;border-radius:8px}" +
    ".replies{display:flex;flex-wrap:wrap;gap:6px;align-self:flex-start}.replies button{border:1px solid var(--c);background:#fff;" +
    "color:var(--c);border-radius:16px;padding:5px 12px;cursor:pointer;font:inherit}.replies button:disabled{opacity:.5;cursor:default}" +
    ".typing{padding:0 14px 6px;background:#f6f7f9}.typing i{display:inline-block;width:7px;height:7px;margin-right:3px;border-radius:50%;" +
    "background:#9aa1ad;animation:b 1s infinite}.typing i:nth-child(2){animation-delay:.15s}.typing i:nth-child(3){animation-delay:.3s}" +
    "@keyframes b{0%,80%,100%{opacity:.3}40%{opacity:1}}.error{display:flex;gap:8px;align-items:center;padding:6px 14px;" +
    "background:#fdecec;color:#8a1c1c;font-size:13px}.error[hidden],.typing[hidden]{display:none}.error span{flex:1}" +
    ".error button{border:1px solid #8a1c1c;background:#fff;color:#8a1c1c;border-radius:6px;cursor:pointer}" +
    "form{display:flex;gap:8px;padding:10px;border-top:1px solid #e2e5ea;background:#fff}" +
    "input{flex:1;min-width:0;padding:9px 12px;border:1px solid #c9ced6;border-radius:20px;font:inherit}" +
    "form button{border:0;border-radius:20px;padding:0 16px;background:var(--c);color:var(--t);font:inherit;cursor:pointer}" +
    ":focus-visible{outline:2px solid #1b4fd8;outline-offset:2px}" +
    "@media (max-width:480px){.float .panel{inset:0;width:auto;height:auto;max-height:none;border-radius:0}" +
    ".launcher{right:12px;bottom:12px}}";

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    for (var k in attrs || {}) node.setAttribute(k, attrs[k]);
    if (text != null) node.textContent = text;
    return node;
  }

  var host = el("div", { id: "parley-widget" });
  var root = host.attachShadow({ mode: "open" });
  root.appendChild(el("style", {}, CSS));
  var frame = el("div", { "class": cfg.page ? "page" : "float" });
  frame.style.setProperty("--c", cfg.color);
  frame.style.setProperty("--t", cfg.textColor);
  if (cfg.page) frame.style.height = "100%";
  root.appendChild(frame);
  var launcher = el("button", { "class": "launcher", type: "button", "aria-controls": "pw-panel",
                                "aria-expanded": "false", "aria-label": "Open chat: " + cfg.title });
  var NS = "http://www.w3.org/2000/svg", icon = document.createElementNS(NS, "svg"), bubblePath = document.createElementNS(NS, "path");
  icon.setAttribute("viewBox", "0 0 24 24"); icon.setAttribute("width", "28"); icon.setAttribute("height", "28");
  icon.setAttribute("aria-hidden", "true"); bubblePath.setAttribute("fill", "currentColor");
  bubblePath.setAttribute("d", "M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2z");
  icon.appendChild(bubblePath); launcher.appendChild(icon);
  var panel = el("section", { "class": "panel", id: "pw-panel", role: "dialog", "aria-label": cfg.title });
  var header = el("header");
  var heading = el("h2", {}, cfg.title);
  var status = el("span", { "class": "status", role: "status" });
  var closeButton = el("button", { "class": "close", type: "button", "aria-label": "Close chat" }, "\u00D7");
  var log = el("div", { "class": "log", role: "log", "aria-live": "polite", "aria-label": "Conversation", tabindex: "0" });
  if (cfg.language) log.setAttribute("lang", cfg.language);
  var typing = el("div", { "class": "typing", role: "status", hidden: "" });
  typing.appendChild(el("i")); typing.appendChild(el("i")); typing.appendChild(el("i"));
  typing.appendChild(el("span", { "class": "sr" }, cfg.title + " is typing"));
  var error = el("div", { "class": "error", role: "alert", hidden: "" });
  var errorText = el("span");
  var retry = el("button", { type: "button" }, "Retry");
  error.appendChild(errorText); error.appendChild(retry);
  var form = el("form", { "aria-label": "Send a message" });
  var input = el("input", { id: "pw-input", type: "text", autocomplete: "off", placeholder: cfg.placeholder,
                            maxlength: "5000", "aria-label": "Message" });
  var sendButton = el("button", { type: "submit" }, "Send");
  form.appendChild(input); form.appendChild(sendButton);
  header.appendChild(heading); header.appendChild(status);
  if (!cfg.page) header.appendChild(closeButton);
  [header, log, typing, error, form].forEach(function (n) { panel.appendChild(n); });
  if (!cfg.page) frame.appendChild(launcher);
  frame.appendChild(panel);

  function setOpen(open) {
    if (cfg.page) return;
    panel.hidden = !open;
    launcher.setAttribute("aria-expanded", String(open));
    if (open) input.focus(); else launcher.focus();
  }
  launcher.addEventListener("click", function () { setOpen(panel.hidden); });
  closeButton.addEventListener("click", function () { setOpen(false); });
  panel.addEventListener("keydown", function (e) { if (e.key === "Escape") setOpen(false); });
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var text = input.value.trim();
    if (!text) return;
    input.value = "";
    send(text, null, false);
  });
  retry.addEventListener("click", function () { flush(); kick(); });

  // ---------------------------------------------------------------- rendering (text stays text)
  function appendText(node, text) {
    var re = /https?:\/\/[^\s<>"']+/gi, at = 0, m;
    while ((m = re.exec(text)) !== null) {
      var url = m[0].replace(/[.,;:!?)\]]+$/, "");
      node.appendChild(document.createTextNode(text.slice(at, m.index)));
      var safe = null;
      try { var u = new URL(url); if (u.protocol === "http:" || u.protocol === "https:") safe = u.href; } catch (e) { /* text */ }
      if (safe) {
        node.appendChild(el("a", { href: safe, target: "_blank", rel: "noopener noreferrer nofollow" }, url));
      } else {
        node.appendChild(document.createTextNode(url));
      }
      at = m.index + url.length;
      re.lastIndex = at;
    }
    node.appendChild(document.createTextNode(text.slice(at)));
  }
  function safeImage(src) {
    try { var u = new URL(String(src), cfg.server + "/"); return (u.protocol === "http:" || u.protocol === "https:") ? u.href : null; }
    catch (e) { return null; }
  }
  function scroll() { log.scrollTop = log.scrollHeight; }
  function bubble(cls, text) {
    var node = el("div", { "class": "msg " + cls });
    appendText(node, String(text));
    log.appendChild(node);
    return node;
  }
  function renderBot(msg) {
    var made = false;
    if (msg.text) { bubble("bot", msg.text).setAttribute("data-id", msg.id); made = true; }
    var image = msg.image || (msg.attachment && msg.attachment.type === "image" && msg.attachment.payload &&
                              msg.attachment.payload.src);
    var src = image && safeImage(image);
    if (src) {
      var wrap = el("div", { "class": "msg bot" });
      wrap.appendChild(el("img", { src: src, alt: "Image from " + cfg.title, loading: "lazy" }));
      log.appendChild(wrap); made = true;
    }
    var choices = msg.quick_replies || msg.buttons;
    if (Array.isArray(choices) && choices.length) {
      var group = el("div", { "class": "replies", role: "group", "aria-label": "Suggested replies" });
      choices.forEach(function (b) {
        if (!b || b.payload == null) return;
        var title = String(b.title != null ? b.title : b.payload);
        var button = el("button", { type: "button" }, title);
        button.addEventListener("click", function () {
          if (msg.quick_replies) group.remove();
          send(String(b.payload), title, false);
        });
        group.appendChild(button);
      });
      log.appendChild(group); made = true;
    }
    if (msg.custom) host.dispatchEvent(new CustomEvent("parley:custom", { detail: msg.custom }));
    if (made) scroll();
  }
  function renderUser(msg) {
    if (msg.message_id) state.delivered[msg.message_id] = true;
    var mine = msg.message_id && state.pending[msg.message_id];
    if (mine) {  // confirmed: it takes its place in the conversation's order (the tracker's)
      mine.classList.remove("pending"); mine.setAttribute("data-id", msg.id); delete state.pending[msg.message_id];
      log.appendChild(mine); scroll(); return;
    }
    if (msg.text != null) bubble("user", msg.text).setAttribute("data-id", msg.id);
    scroll();
  }
  function showError(text) { errorText.textContent = text; error.hidden = !text; }
  function refreshStatus() {
    status.textContent = state.online ? "" : "reconnecting\u2026";
    if (state.sendFailed) showError("Not sent: the server can't be reached. It will be retried.");
    else if (!state.online && state.synced) showError("Connection lost; reconnecting\u2026");
    else if (!state.online && state.failures > 1) showError("Can't reach the chat server; retrying\u2026");
    else showError("");
  }

  // ---------------------------------------------------------------- transport
  function sleep(ms) {
    return new Promise(function (resolve) { var t = setTimeout(resolve, ms); state.wake = function () { clearTimeout(t); resolve(); }; });
  }
  function kick() { if (state.wake) state.wake(); }
  function randomId() {
    var bytes = new Uint8Array(16); crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
  }
  function resetConversation() {
    while (log.firstChild) log.removeChild(log.firstChild);
    state.lastId = -1; state.pending = {}; state.delivered = {};
  }
  function session() {
    var saved = load("session", null);
    return fetch(cfg.server + "/webhooks/widget/session", {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify(saved && saved.token ? { token: saved.token } : {})
    }).then(function (res) {
      if (!res.ok) throw new Error("session: HTTP " + res.status);
      return res.json();
    }).then(function (s) {
      if (state.sessionId && state.sessionId !== s.session_id) resetConversation();
      state.token = s.token; state.sessionId = s.session_id;
      save("session", { token: s.token, session_id: s.session_id });
    });
  }
  function authHeaders(extra) {
    var h = { Authorization: "Bearer " + state.token };
    for (var k in extra || {}) h[k] = extra[k];
    return h;
  }

  function handleEvent(name, id, body) {
    if (name === "synced") {
      var info = JSON.parse(body);
      state.lastId = Math.max(state.lastId, info.last_id);
      if (!state.synced) {  // messages left unsent by an earlier page: shown after the history
        state.outbox = state.outbox.filter(function (item) { return !state.delivered[item.message_id]; });
        save("outbox", state.outbox);
        state.outbox.forEach(function (item) {
          if (!item.hidden && !state.pending[item.message_id]) state.pending[item.message_id] = bubble("user pending", item.title || item.message);
        });
        scroll();
      }
      if (!state.synced && log.childElementCount === 0 && cfg.initialPayload && state.outbox.length === 0) {
        send(cfg.initialPayload, null, true, "init-" + state.sessionId.replace(/[^A-Za-z0-9_-]/g, "").slice(0, 40));
      }
      state.synced = true; refreshStatus(); flush();
      return;
    }
    var msg = JSON.parse(body);
    if (msg.id <= state.lastId) return;
    state.lastId = msg.id;
    if (msg.from === "bot") renderBot(msg); else renderUser(msg);
  }
  function parseBlock(block) {
    var name = "message", id = null, lines = [];
    block.split("\n").forEach(function (line) {
      if (!line || line.charAt(0) === ":") return;
      var i = line.indexOf(":"), field = i < 0 ? line : line.slice(0, i), value = i < 0 ? "" : line.slice(i + 1).replace(/^ /, "");
      if (field === "event") name = value; else if (field === "id") id = value; else if (field === "data") lines.push(value);
    });
    if (lines.length) handleEvent(name, id, lines.join("\n"));
  }
  async function streamLoop() {
    var backoff = 300, fresh = false;
    for (;;) {
      try {
        if (!state.token || !fresh) { await session(); fresh = true; }  // renews a token near its rotation
        var headers = authHeaders(state.lastId >= 0 ? { "Last-Event-ID": String(state.lastId) } : {});
        var res = await fetch(cfg.server + "/webhooks/widget/stream", { headers: headers, cache: "no-store" });
        if (res.status === 401) { state.token = null; await session(); continue; }
        if (!res.ok) throw new Error("stream: HTTP " + res.status);
        state.online = true; state.failures = 0; backoff = 300; refreshStatus();
        var reader = res.body.getReader(), decoder = new TextDecoder(), buffer = "";
        for (;;) {
          var chunk = await reader.read();
          if (chunk.done) break;
          buffer += decoder.decode(chunk.value, { stream: true }).replace(/\r\n?/g, "\n");
          var cut;
          while ((cut = buffer.indexOf("\n\n")) >= 0) { parseBlock(buffer.slice(0, cut)); buffer = buffer.slice(cut + 2); }
        }
      } catch (e) { state.failures += 1; }  // offline (or refused): retried below
      state.online = false; refreshStatus();
      await sleep(backoff);
      backoff = Math.min(backoff * 2, 4000);
    }
  }

  function send(text, title, hidden, messageId) {
    var item = { message: text, message_id: messageId || randomId() };
    if (title) item.title = title;
    if (hidden) item.hidden = true;
    if (cfg.language) item.language = cfg.language;
    if (!hidden) {
      var node = bubble("user pending", title || text);
      state.pending[item.message_id] = node; scroll();
    }
    state.outbox.push(item); save("outbox", state.outbox);
    flush();
  }
  async function flush() {
    if (state.flushing || !state.token) return;
    state.flushing = true;
    var delay = 500;
    try {
      while (state.outbox.length) {
        var item = state.outbox[0];
        typing.hidden = false;
        var res = null;
        try {
          res = await fetch(cfg.server + "/webhooks/widget/webhook", {
            method: "POST", headers: authHeaders({ "Content-Type": "application/json" }), body: JSON.stringify(item)
          });
        } catch (e) { res = null; }
        if (res && res.status === 401) { state.token = null; await session(); continue; }
        if (res && (res.ok || (res.status >= 400 && res.status < 500 && res.status !== 409 && res.status !== 429))) {
          if (!res.ok) {
            var body = await res.json().catch(function () { return {}; });
            var node = state.pending[item.message_id];
            if (node) { node.classList.remove("pending"); node.appendChild(el("small", {}, " (not sent: " + (body.message || res.status) + ")")); }
          }
          state.outbox.shift(); save("outbox", state.outbox);
          state.sendFailed = false; refreshStatus(); delay = 500;
          continue;
        }
        state.sendFailed = !res || res.status >= 500; refreshStatus(); typing.hidden = true;
        await new Promise(function (r) { setTimeout(r, delay); });
        delay = Math.min(delay * 2, 4000);
      }
    } finally {
      state.flushing = false; typing.hidden = true;
    }
  }

  // ---------------------------------------------------------------- start
  function mount() {
    var parent = cfg.target ? document.querySelector(cfg.target) : document.body;
    (parent || document.body).appendChild(host);
    if (cfg.page) host.style.cssText = "display:block;height:100%";
    panel.hidden = !cfg.page && !cfg.open;
    launcher.setAttribute("aria-expanded", String(!panel.hidden));
    var saved = load("session", null);
    if (saved) state.sessionId = saved.session_id;
    state.outbox = load("outbox", []);
    streamLoop();
    // an open page renews its token (the server rotates it after token_rotate_after_s)
    setInterval(function () { if (state.online) session().catch(function () { /* retried next time */ }); }, 600000);
  }
  window.ParleyWidget = {
    open: function () { setOpen(true); }, close: function () { setOpen(false); },
    send: function (text) { send(String(text), null, false); },
    get sessionId() { return state.sessionId; }, get online() { return state.online; }
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", mount); else mount();
})();
