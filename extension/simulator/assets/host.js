// Workspace simulator: the host side of the Replit Extensions protocol.
//
// Replit's workspace embeds an extension in an iframe and answers its Comlink requests
// (reference/replit-extensions.md §4). This page does the same with the real comlink library:
// the API object below is exposed on a window endpoint bound to the panel iframe, which
//  - only listens to messages whose source is the panel's window (Comlink.expose itself does
//    not filter by source), and only from the panel's origin (allowedOrigins);
//  - posts replies to the panel's origin, never "*".
// Files come from a real folder through the simulator server (/api/fs/*, sandboxed there);
// watchers poll it; auth tokens are minted by the server with its Ed25519 key.
//
// The extension's background page (extension.json "background") runs in a hidden iframe with
// the same API; the panel can be closed and reopened, so commands are shown to work without it.
// Commands registered with commands.add appear in the command bar (Ctrl+K) and the file tree's
// menu (right-click, or the ⋯ button on a file).
//
// window.simulator exposes the page's state to tests (toasts, commands, commandRuns, log,
// setTheme, openPanel, closePanel).
(function () {
  "use strict";

  const Comlink = window.Comlink;
  const POLL_MS = 700;

  // Replit's built-in Dark theme (reference §7).
  const DARK = {
    __typename: "ThemeValuesGlobal",
    backgroundRoot: "#0E1525", backgroundDefault: "#1C2333", backgroundHigher: "#2B3245",
    backgroundHighest: "#3C445C", backgroundOverlay: "#0e1525A0",
    foregroundDefault: "#F5F9FC", foregroundDimmer: "#C2C8CC", foregroundDimmest: "#9DA2A6",
    outlineDimmest: "#4E5569", outlineDimmer: "#5F677A", outlineDefault: "#70788C",
    outlineStronger: "#828899", outlineStrongest: "#9195A1",
    black: "#0E1525", white: "#FCFCFC",
  };
  const SCALES = {
    accentPrimary: ["#004182", "#0053A6", "#0079F2", "#57ABFF", "#B2D9FF"],
    accentPositive: ["#044A10", "#046113", "#009118", "#6CD97E", "#BFFFCA"],
    accentNegative: ["#660000", "#A60808", "#E52222", "#FF6666", "#FFCFCF"],
    red: ["#660000", "#A60808", "#E52222", "#FF6666", "#FFCFCF"],
    orange: ["#542A00", "#703800", "#AD5700", "#D4781C", "#FFBD7A"],
    yellow: ["#4D4000", "#635300", "#967D00", "#BFA730", "#F2E088"],
    lime: ["#314A00", "#3D5C00", "#5A8700", "#87B825", "#C4E581"],
    green: ["#044A10", "#046113", "#009118", "#6CD97E", "#7AEB8D"],
    teal: ["#004452", "#006073", "#0093B0", "#27B9D6", "#69D9F0"],
    blue: ["#004182", "#0053A6", "#0079F2", "#57ABFF", "#B2D9FF"],
    blurple: ["#39298A", "#5239CC", "#795EFF", "#A694FF", "#CEC4FF"],
    purple: ["#582987", "#7633B8", "#A64DFF", "#C78FFF", "#E2C4FF"],
    magenta: ["#6B1A6B", "#8A218A", "#C73AC7", "#F562F5", "#FFBFFF"],
    pink: ["#6E1B52", "#8F226B", "#D4359F", "#FF70CF", "#FFBAE8"],
    grey: ["#404040", "#545454", "#808080", "#A6A6A6", "#D4D4D4"],
    brown: ["#594031", "#75503B", "#A3765C", "#D49877", "#FFC8A8"],
  };
  const STEPS = ["Dimmest", "Dimmer", "Default", "Stronger", "Strongest"];
  for (const [name, values] of Object.entries(SCALES)) {
    STEPS.forEach((step, i) => { DARK[name + step] = values[i]; });
  }
  // A light variant: light surfaces, dark text, colour scales reversed (dimmest = palest).
  // Plausible, not Replit's exact Light values; enough to show the panel follows the theme.
  const LIGHT = Object.assign({}, DARK, {
    backgroundRoot: "#F5F9FC", backgroundDefault: "#FCFCFC", backgroundHigher: "#EBEEF2",
    backgroundHighest: "#DBDFE6", backgroundOverlay: "#fcfcfcA0",
    foregroundDefault: "#0E1525", foregroundDimmer: "#3C445C", foregroundDimmest: "#5F677A",
    outlineDimmest: "#E4E7EB", outlineDimmer: "#CFD4DB", outlineDefault: "#B0B7C3",
    outlineStronger: "#9DA2A6", outlineStrongest: "#70788C",
  });
  for (const [name, values] of Object.entries(SCALES)) {
    STEPS.forEach((step, i) => { LIGHT[name + step] = values[4 - i]; });
  }
  const THEMES = { dark: DARK, light: LIGHT };

  const sim = {
    config: null,
    theme: "dark",
    handshakes: 0,
    toasts: [],
    commands: [],
    commandRuns: [],
    log: [],
    activeFile: null,
    panelOpen: false,
    setTheme,
  };
  window.simulator = sim;

  const themeListeners = new Set();
  const themeValueListeners = new Set();
  const activeFileListeners = new Set();
  const watchers = new Set();
  // Which page subscribed each listener (a Comlink remote: never set properties on it).
  const owners = new WeakMap();
  const replDb = new Map();

  const $ = (id) => document.getElementById(id);

  function addLog(level, message, data) {
    const text = typeof message === "string" ? message : JSON.stringify(message);
    sim.log.push({ level, message: text, data });
    const li = document.createElement("li");
    li.className = level;
    li.textContent = text + (data && Object.keys(data).length ? " " + safeJson(data) : "");
    const list = $("ext-log");
    list.appendChild(li);
    while (list.children.length > 200) list.removeChild(list.firstChild);
    list.scrollTop = list.scrollHeight;
  }

  function safeJson(v) {
    try { return JSON.stringify(v); } catch (_) { return String(v); }
  }

  // Calls a function of the panel (a Comlink remote); the panel may be gone, so never throw.
  function notify(fn, ...args) {
    try {
      Promise.resolve(fn(...args)).catch(() => {});
    } catch (_) { /* the panel went away */ }
  }

  async function fsCall(op, body) {
    try {
      const r = await fetch("/api/fs/" + op, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      if (!r.ok) return { error: "simulator: " + op + " answered " + r.status };
      return await r.json();
    } catch (e) {
      return { error: "simulator server unreachable" };
    }
  }

  async function encodeContent(content) {
    if (typeof content === "string") return content;
    if (content instanceof Blob) {
      const bytes = new Uint8Array(await content.arrayBuffer());
      let binary = "";
      for (let i = 0; i < bytes.length; i += 0x8000) {
        binary += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
      }
      return { base64: btoa(binary) };
    }
    return String(content);
  }

  // ---- watchers: poll the server, fire the panel's callbacks on change ----

  function addWatcher(w) {
    w.disposed = false;
    w.owner = w.owner || "panel";
    watchers.add(w);
    pollOne(w, true);
    return () => { w.disposed = true; watchers.delete(w); };
  }

  async function pollOne(w, first) {
    if (w.disposed || w.busy) return;
    w.busy = true;
    try {
      await pollWatcher(w, first);
    } finally {
      w.busy = false;
    }
  }

  async function pollWatcher(w, first) {
    if (w.kind === "dir") {
      const r = await fsCall("readDir", { path: w.path });
      if (w.disposed) return;
      if (r.error) {
        if (!first && w.last !== undefined) {
          watchers.delete(w);
          notify(w.listeners.onMoveOrDelete, { eventType: "DELETE", node: { path: w.path, type: "DIRECTORY" } });
        } else if (w.lastError !== r.error) {
          notify(w.listeners.onError, r.error);
        }
        w.lastError = r.error;
        return;
      }
      const children = (r.children || []).map((c) => ({
        path: w.path && w.path !== "." ? w.path.replace(/\/$/, "") + "/" + c.filename : c.filename,
        type: c.type,
      }));
      const sig = JSON.stringify(children);
      if (!first && w.last !== undefined && sig !== w.last) notify(w.listeners.onChange, children);
      w.last = sig;
      return;
    }
    const encoding = w.kind === "text" ? "utf8" : w.encoding;
    const r = await fsCall("readFile", { path: w.path, encoding });
    if (w.disposed) return;
    if (r.error) {
      if (w.last !== undefined) {
        watchers.delete(w);
        notify(w.listeners.onMoveOrDelete, { eventType: "DELETE", node: { path: w.path, type: "FILE" } });
      } else if (w.lastError !== r.error) {
        notify(w.listeners.onError, r.error);
      }
      w.lastError = r.error;
      return;
    }
    if (w.last === undefined) {
      w.last = r.content;
      if (w.kind === "text") {
        notify(w.listeners.onReady, Comlink.proxy({
          initialContent: r.content,
          writeChange: (changes) => writeTextChanges(w, changes),
        }));
      }
      return;
    }
    if (r.content === w.last) return;
    const previous = w.last;
    w.last = r.content;
    if (w.kind === "text") {
      // CodeMirror ChangeSet JSON: replace the whole document.
      notify(w.listeners.onChange, { changes: [[previous.length].concat(r.content.split("\n"))] });
    } else {
      notify(w.listeners.onChange, r.content);
    }
  }

  // Applies {from, to?, insert?} changes (positions in the current text, UTF-16 units).
  async function writeTextChanges(w, changes) {
    const list = (Array.isArray(changes) ? changes : [changes]).slice();
    list.sort((a, b) => b.from - a.from);
    let text = w.last === undefined ? "" : w.last;
    for (const c of list) {
      const to = typeof c.to === "number" ? c.to : c.from;
      text = text.slice(0, c.from) + (c.insert || "") + text.slice(to);
    }
    const r = await fsCall("writeFile", { path: w.path, content: text });
    if (r.error) throw new Error(r.error);
    w.last = text;
  }

  let polling = false;
  setInterval(async () => {
    if (polling) return;
    polling = true;
    try {
      for (const w of Array.from(watchers)) await pollOne(w, false);
    } finally {
      polling = false;
    }
  }, POLL_MS);

  // ---- themes ----

  function themeVersion() {
    const scheme = sim.theme;
    return {
      id: scheme === "dark" ? 1 : 2,
      hue: 0, lightness: scheme === "dark" ? 0 : 100, saturation: 0,
      timeUpdated: "2024-01-01T00:00:00.000Z",
      description: "Replit " + (scheme === "dark" ? "Dark" : "Light") + " (simulated)",
      customTheme: {
        id: scheme === "dark" ? 1 : 2,
        title: scheme === "dark" ? "Replit Dark" : "Replit Light",
        colorScheme: scheme,
        hasUnpublishedChanges: false, isCurrentUserThemeAuthor: false, isInstalledByCurrentUser: true,
      },
      values: { global: Object.assign({}, THEMES[scheme]), editor: { syntaxHighlighting: [] } },
    };
  }

  function setTheme(name) {
    if (!THEMES[name]) return;
    sim.theme = name;
    document.documentElement.dataset.theme = name;
    const toggle = $("theme-toggle");
    toggle.textContent = name === "dark" ? "Light theme" : "Dark theme";
    toggle.setAttribute("aria-pressed", String(name === "light"));
    for (const cb of themeListeners) notify(cb, themeVersion());
    for (const cb of themeValueListeners) notify(cb, Object.assign({}, THEMES[name]));
  }

  // ---- messages (toasts) ----

  function toast(kind, text, length) {
    if (typeof text !== "string") throw new Error("message text must be a string");
    const id = crypto.randomUUID();
    const el = document.createElement("div");
    el.className = "toast " + kind;
    el.setAttribute("role", kind === "error" ? "alert" : "status");
    el.dataset.id = id;
    el.textContent = text;
    $("toasts").appendChild(el);
    sim.toasts.push({ id, kind, text });
    setTimeout(() => el.remove(), typeof length === "number" && length > 0 ? length : 4000);
    return id;
  }

  // ---- the host API (reference §4.4) ----

  // `who`: "panel" or "background" — whose iframe this API answers.
  function makeApi(config, who) {
    const user = config.user;
    const repl = config.repl;
    const owned = (set, cb) => { owners.set(cb, who); set.add(cb); return Comlink.proxy(() => { set.delete(cb); }); };
    return {
      handshake(args) {
        const client = ((args && args.clientName) || "client") + " " + ((args && args.clientVersion) || "");
        if (who === "background") {
          const state = $("background-state");
          state.textContent = "running, handshake ok (" + client + ")";
          state.dataset.state = "ok";
          return { success: true };
        }
        sim.handshakes += 1;
        const state = $("handshake-state");
        state.textContent = "handshake ok (" + client + ")";
        state.dataset.state = "ok";
        return { success: true };
      },
      activatePane() { return undefined; },

      readFile: (path, encoding) => fsCall("readFile", { path, encoding: encoding == null ? "utf8" : encoding }),
      writeFile: async (path, content) => fsCall("writeFile", { path, content: await encodeContent(content) }),
      readDir: (path) => fsCall("readDir", { path }),
      createDir: (path) => fsCall("createDir", { path }),
      deleteFile: (path) => fsCall("deleteFile", { path }),
      deleteDir: (path) => fsCall("deleteDir", { path }),
      move: (path, to) => fsCall("move", { path, to }),
      copyFile: (path, to) => fsCall("copyFile", { path, to }),
      watchFile(path, listeners, encoding) {
        return Comlink.proxy(addWatcher({ kind: "file", path, listeners, encoding: encoding || "binary", owner: who }));
      },
      watchDir(path, listeners) {
        return Comlink.proxy(addWatcher({ kind: "dir", path, listeners, owner: who }));
      },
      watchTextFile(path, listeners) {
        return Comlink.proxy(addWatcher({ kind: "text", path, listeners, owner: who }));
      },

      getReplDbValue(key) {
        return replDb.has(key) ? replDb.get(key) : { error: null };
      },
      setReplDbValue(key, value) { replDb.set(String(key), value); },
      listReplDbKeys(prefix) {
        return { keys: Array.from(replDb.keys()).filter((k) => k.startsWith(prefix || "")) };
      },
      deleteReplDbKey(key) { replDb.delete(key); },

      // A plain tool, not a file handler: no file path.
      filePath: null,

      getCurrentTheme: () => themeVersion(),
      getCurrentThemeValues: () => Object.assign({}, THEMES[sim.theme]),
      onThemeChange: (cb) => owned(themeListeners, cb),
      onThemeChangeValues: (cb) => owned(themeValueListeners, cb),

      showConfirm: (text, length) => toast("confirm", text, length),
      showError: (text, length) => toast("error", text, length),
      showNotice: (text, length) => toast("notice", text, length),
      showWarning: (text, length) => toast("warning", text, length),
      hideMessage(id) {
        const el = document.querySelector('.toast[data-id="' + CSS.escape(String(id)) + '"]');
        if (el) el.remove();
      },
      hideAllMessages() { $("toasts").replaceChildren(); },

      currentUser: () => ({ user }),
      userById(args) {
        if (args && args.id === user.id) return { user };
        throw new Error("User not found");
      },
      userByUsername(args) {
        if (args && args.username === user.username) return { userByUsername: user };
        throw new Error("User not found");
      },
      currentRepl: () => ({ repl }),
      replById(args) {
        if (args && args.id === repl.id) return { repl };
        throw new Error("Repl not found");
      },
      replByUrl(args) {
        if (args && args.url === repl.url) return { repl };
        throw new Error("Repl not found");
      },

      getActiveFile: () => sim.activeFile,
      watchActiveFile: (listener) => owned(activeFileListeners, listener),

      experimental: {
        auth: {
          async getAuthToken() {
            const r = await fetch("/api/token", { method: "POST" });
            if (!r.ok) throw new Error("the simulator's token endpoint answered " + r.status);
            return r.text();
          },
        },
        editor: {
          getPreferences: () => ({
            __typename: "EditorPreferences", fontSize: 14, indentIsSpaces: true, indentSize: 2,
            keyboardHandler: null, wrapping: true, codeIntelligence: true, codeSuggestion: true,
            multiselectModifierKey: "Alt", minimapDisplay: "none",
          }),
        },
      },

      commands: {
        registerCreateCommand(args, create) {
          const entry = { commandId: args && args.commandId, contributions: (args && args.contributions) || [], create, owner: who };
          // A page that loads again registers its commands again: the newest wins.
          sim.commands = sim.commands.filter((c) => c.commandId !== entry.commandId);
          sim.commands.push(entry);
          renderCommands();
        },
      },

      exec() {
        throw new Error("exec is not available in the workspace simulator");
      },

      debug: {
        info: (message, data) => addLog("info", who + ": " + message, data),
        log: (message, data) => addLog("info", who + ": " + message, data),
        warn: (message, data) => addLog("warn", who + ": " + message, data),
        error: (message, data) => addLog("error", who + ": " + message, data),
      },
    };
  }

  function renderCommands() {
    const ul = $("commands");
    ul.replaceChildren();
    for (const c of sim.commands) {
      const li = document.createElement("li");
      li.className = "registered-command";
      li.dataset.commandId = String(c.commandId);
      li.textContent = String(c.commandId) + " (" + c.contributions.join(", ") + ")";
      ul.appendChild(li);
    }
  }

  // ---- command surfaces: the command bar and the file tree's menu ----

  // Asks a command's create function for what to show, as Replit does each time a surface
  // opens. Resolves to null (hidden) or {entry, remote, data}.
  async function materialize(entry, fnArgs) {
    const timeout = new Promise((resolve) => setTimeout(() => resolve("timeout"), 3000));
    try {
      const remote = await Promise.race([entry.create(fnArgs), timeout]);
      if (!remote || remote === "timeout") return null;
      const data = await Promise.race([remote.data, timeout]);
      if (!data || data === "timeout" || typeof data.label !== "string") return null;
      return { entry, remote, data };
    } catch (e) {
      addLog("warn", "command " + entry.commandId + " failed to build: " + e);
      return null;
    }
  }

  async function runCommand(item, context) {
    const record = { commandId: String(item.entry.commandId), label: item.data.label, context, status: "running" };
    sim.commandRuns.push(record);
    try {
      if (item.data.type === "context") throw new Error("sub-menus are not simulated");
      await item.remote.run();
      record.status = "done";
    } catch (e) {
      record.status = "failed";
      record.error = String(e && e.message || e);
      addLog("error", "command " + record.commandId + " failed: " + record.error);
    }
  }

  function menuButton(item, onRun) {
    const li = document.createElement("li");
    const b = document.createElement("button");
    b.type = "button";
    b.className = "menu-item command-item";
    b.setAttribute("role", "menuitem");
    b.dataset.commandId = String(item.entry.commandId);
    b.textContent = item.data.label;
    if (item.data.description) {
      const d = document.createElement("span");
      d.className = "description";
      d.textContent = item.data.description;
      b.appendChild(d);
    }
    b.addEventListener("click", onRun);
    li.appendChild(b);
    return li;
  }

  async function fillMenu(ul, surface, fnArgs, onRun) {
    ul.replaceChildren();
    const loading = document.createElement("li");
    loading.className = "empty";
    loading.textContent = "…";
    ul.appendChild(loading);
    const entries = sim.commands.filter((c) => c.contributions.includes(surface));
    const items = (await Promise.all(entries.map((e) => materialize(e, fnArgs)))).filter(Boolean);
    ul.replaceChildren();
    ul.dataset.ready = "true";
    if (!items.length) {
      const li = document.createElement("li");
      li.className = "empty";
      li.textContent = "No commands";
      ul.appendChild(li);
    }
    for (const item of items) ul.appendChild(menuButton(item, () => onRun(item)));
    return items;
  }

  let commandItems = [];
  async function openCommandBar() {
    const bar = $("command-bar");
    bar.hidden = false;
    const input = $("command-search");
    input.value = "";
    input.focus();
    $("command-results").dataset.ready = "false";
    commandItems = await fillMenu($("command-results"), "commandbar", { active: true, search: "", path: [{}] }, (item) => {
      closeMenus();
      runCommand(item, null);
    });
  }

  function filterCommandBar() {
    const q = $("command-search").value.toLowerCase();
    for (const b of $("command-results").querySelectorAll(".command-item")) {
      b.parentElement.hidden = q !== "" && !b.textContent.toLowerCase().includes(q);
    }
  }

  async function openFileMenu(path, x, y) {
    const menu = $("file-menu");
    menu.dataset.path = path;
    menu.dataset.ready = "false";
    menu.style.left = Math.max(8, x) + "px";
    menu.style.top = Math.max(8, y) + "px";
    menu.hidden = false;
    await fillMenu(menu, "filetree-context-menu", { active: true, search: "", path: [{ path, type: "FILE" }] }, (item) => {
      closeMenus();
      runCommand(item, path);
    });
    const first = menu.querySelector("button");
    if (first) first.focus();
  }

  function closeMenus() {
    $("command-bar").hidden = true;
    $("file-menu").hidden = true;
  }

  // ---- the Repl's file tree ----

  function setActiveFile(path) {
    sim.activeFile = path;
    $("active-file").textContent = path || "none";
    for (const el of document.querySelectorAll(".tree .file")) {
      el.classList.toggle("active", el.dataset.path === path);
    }
    for (const l of activeFileListeners) notify(l, path);
  }

  function renderTree(nodes, into) {
    for (const n of nodes) {
      const li = document.createElement("li");
      const label = document.createElement("span");
      label.textContent = n.type === "DIRECTORY" ? n.name + "/" : n.name;
      label.className = n.type === "DIRECTORY" ? "dir" : "file";
      label.dataset.path = n.path;
      if (n.type !== "DIRECTORY") {
        label.tabIndex = 0;
        label.setAttribute("role", "button");
        if (n.path === sim.activeFile) label.classList.add("active");
      }
      if (n.type !== "DIRECTORY") {
        const row = document.createElement("span");
        row.className = "file-row";
        const more = document.createElement("button");
        more.type = "button";
        more.className = "file-menu-button";
        more.dataset.path = n.path;
        more.setAttribute("aria-label", "Actions for " + n.path);
        more.setAttribute("aria-haspopup", "menu");
        more.textContent = "⋯";
        row.append(label, more);
        li.appendChild(row);
      } else {
        li.appendChild(label);
      }
      if (n.children && n.children.length) {
        const ul = document.createElement("ul");
        renderTree(n.children, ul);
        li.appendChild(ul);
      }
      into.appendChild(li);
    }
  }

  let lastTree = "";
  async function refreshTree() {
    try {
      const r = await fetch("/api/tree", { method: "GET" });
      if (!r.ok) return;
      const tree = await r.json();
      const sig = JSON.stringify(tree);
      if (sig === lastTree) return;
      lastTree = sig;
      const ul = $("file-tree");
      ul.replaceChildren();
      renderTree(tree.children || [], ul);
    } catch (_) { /* server stopped; keep the last tree */ }
  }

  function onTreeActivate(ev) {
    const el = ev.target.closest(".tree .file");
    if (!el) return;
    if (ev.type === "keydown" && ev.key !== "Enter" && ev.key !== " ") return;
    ev.preventDefault();
    setActiveFile(el.dataset.path);
  }

  // The panel's window: messages from anything else are ignored, replies go to its origin.
  function panelEndpoint(iframe, origin) {
    const wrapped = new Map();
    return {
      postMessage(message, transfer) {
        if (iframe.contentWindow) iframe.contentWindow.postMessage(message, origin, transfer || []);
      },
      addEventListener(type, listener) {
        const filtered = (ev) => {
          if (ev.source !== iframe.contentWindow) return;
          if (typeof listener === "function") listener(ev); else listener.handleEvent(ev);
        };
        wrapped.set(listener, filtered);
        window.addEventListener(type, filtered);
      },
      removeEventListener(type, listener) {
        const filtered = wrapped.get(listener);
        if (filtered) {
          window.removeEventListener(type, filtered);
          wrapped.delete(listener);
        }
      },
    };
  }

  async function main() {
    const config = await (await fetch("/config.json")).json();
    sim.config = config;
    document.title = config.repl.title + " · Replit workspace simulator";
    $("repl-title").textContent = config.repl.title;
    $("sim-user").textContent = "@" + config.user.username;
    $("sim-dir").textContent = config.dir;
    const link = $("panel-url");
    link.href = config.panelUrl;
    link.textContent = config.panelUrl;

    $("theme-toggle").addEventListener("click", () => setTheme(sim.theme === "dark" ? "light" : "dark"));
    $("file-tree").addEventListener("click", (ev) => {
      const more = ev.target.closest(".file-menu-button");
      if (more) {
        const r = more.getBoundingClientRect();
        openFileMenu(more.dataset.path, r.left, r.bottom + 2);
        return;
      }
      onTreeActivate(ev);
    });
    $("file-tree").addEventListener("keydown", (ev) => {
      const file = ev.target.closest(".tree .file");
      if (file && (ev.key === "ContextMenu" || (ev.shiftKey && ev.key === "F10"))) {
        ev.preventDefault();
        const r = file.getBoundingClientRect();
        openFileMenu(file.dataset.path, r.left, r.bottom + 2);
        return;
      }
      onTreeActivate(ev);
    });
    $("file-tree").addEventListener("contextmenu", (ev) => {
      const file = ev.target.closest(".tree .file, .tree .file-menu-button");
      if (!file) return;
      ev.preventDefault();
      openFileMenu(file.dataset.path, ev.clientX, ev.clientY);
    });
    $("command-bar-button").addEventListener("click", openCommandBar);
    $("command-search").addEventListener("input", filterCommandBar);
    document.addEventListener("keydown", (ev) => {
      if ((ev.ctrlKey || ev.metaKey) && ev.key.toLowerCase() === "k") {
        ev.preventDefault();
        openCommandBar();
      } else if (ev.key === "Escape") {
        closeMenus();
      }
    });
    document.addEventListener("click", (ev) => {
      if (!ev.target.closest("#command-bar, #file-menu, #command-bar-button, .file-menu-button")) closeMenus();
    });
    $("toggle-panel").addEventListener("click", () => (sim.panelOpen ? closePanel() : openPanel()));
    refreshTree();
    setInterval(refreshTree, 1500);

    openPanel();
    startBackground(config);
  }

  // The panel: a tool pane the user can close and open again (a fresh load each time).
  function openPanel() {
    const config = sim.config;
    if (sim.panelOpen || !config) return;
    const iframe = document.createElement("iframe");
    iframe.id = "panel-frame";
    iframe.title = "Notion Sync panel";
    iframe.setAttribute("allow", "clipboard-write");
    Comlink.expose(makeApi(config, "panel"), panelEndpoint(iframe, config.panelOrigin), [config.panelOrigin]);
    iframe.src = config.panelUrl;
    $("frame-slot").replaceChildren(iframe);
    sim.panelOpen = true;
    const toggle = $("toggle-panel");
    toggle.textContent = "Close panel";
    toggle.setAttribute("aria-pressed", "true");
  }

  function closePanel() {
    if (!sim.panelOpen) return;
    // What the panel subscribed to goes with it.
    for (const w of Array.from(watchers)) if (w.owner === "panel") { w.disposed = true; watchers.delete(w); }
    for (const set of [themeListeners, themeValueListeners, activeFileListeners]) {
      for (const cb of Array.from(set)) if (owners.get(cb) === "panel") set.delete(cb);
    }
    const note = document.createElement("p");
    note.className = "closed";
    note.id = "panel-closed";
    note.textContent = "The panel is closed. Its commands keep working through the background page.";
    $("frame-slot").replaceChildren(note);
    sim.panelOpen = false;
    const state = $("handshake-state");
    state.textContent = "panel closed";
    state.dataset.state = "closed";
    const toggle = $("toggle-panel");
    toggle.textContent = "Open panel";
    toggle.setAttribute("aria-pressed", "false");
  }
  sim.openPanel = openPanel;
  sim.closePanel = closePanel;

  // The background page named by the extension's manifest, in a hidden iframe (reference §1.1).
  async function startBackground(config) {
    let page = null;
    try {
      const r = await fetch(new URL("extension.json", config.panelUrl), { mode: "cors" });
      if (r.ok) page = ((await r.json()).background || {}).page || null;
    } catch (_) { /* no manifest reachable: no background page */ }
    const state = $("background-state");
    if (!page) {
      state.textContent = "none declared";
      return;
    }
    const iframe = document.createElement("iframe");
    iframe.id = "background-frame";
    iframe.title = "Notion Sync background page";
    iframe.setAttribute("aria-hidden", "true");
    iframe.tabIndex = -1;
    Comlink.expose(makeApi(config, "background"), panelEndpoint(iframe, config.panelOrigin), [config.panelOrigin]);
    iframe.src = new URL(page, config.panelUrl).href;
    document.body.appendChild(iframe);
    state.textContent = "loading " + page;
    state.dataset.state = "loading";
    sim.backgroundPage = iframe.src;
  }

  main().catch((e) => {
    document.body.insertAdjacentText("afterbegin", "Simulator failed to start: " + e);
  });
})();
