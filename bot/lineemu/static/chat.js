// The customer chat page: a stand-in for the LINE app, talking to the
// emulator's page API with relative URLs so it works under any mount prefix.
// All bot text comes from warmline; the labels below belong to the "app".
(() => {
  "use strict";

  const LABELS = {
    "zh-TW": {
      emulator: "LINE 模擬器", customer: "顧客", newCustomer: "＋ 新顧客", guest: "新顧客",
      placeholder: "輸入訊息", send: "傳送", sticker: "傳送貼圖", photo: "傳送照片",
      follow: "加入好友", unfollow: "封鎖", followed: "您已將 {bot} 加為好友。", unblocked: "您已解除封鎖 {bot}。",
      unfollowed: "您已封鎖 {bot}。", unknown: "（已送出不支援的事件）", notice: "warmline 回應 HTTP {status}",
      unreachable: "無法連線到 warmline", read: "已讀", today: "今天", blocked: "您已封鎖此帳號。",
      unblock: "解除封鎖", stickerAlt: "貼圖", photoAlt: "照片", videoAlt: "影片", audioAlt: "語音訊息", fileAlt: "檔案", unsupported: "不支援的訊息",
    },
    "zh-CN": {
      emulator: "LINE 模拟器", customer: "顾客", newCustomer: "＋ 新顾客", guest: "新顾客",
      placeholder: "输入消息", send: "发送", sticker: "发送表情", photo: "发送照片",
      follow: "添加好友", unfollow: "屏蔽", followed: "你已添加 {bot} 为好友。", unblocked: "你已解除屏蔽 {bot}。",
      unfollowed: "你已屏蔽 {bot}。", unknown: "（已发送不支持的事件）", notice: "warmline 响应 HTTP {status}",
      unreachable: "无法连接到 warmline", read: "已读", today: "今天", blocked: "你已屏蔽此账号。",
      unblock: "解除屏蔽", stickerAlt: "表情", photoAlt: "照片", videoAlt: "视频", audioAlt: "语音", fileAlt: "文件", unsupported: "不支持的消息",
    },
    en: {
      emulator: "LINE emulator", customer: "Customer", newCustomer: "+ New customer", guest: "Guest",
      placeholder: "Enter a message", send: "Send", sticker: "Send a sticker", photo: "Send a photo",
      follow: "Add friend", unfollow: "Block", followed: "You added {bot} as a friend.", unblocked: "You unblocked {bot}.",
      unfollowed: "You blocked {bot}.", unknown: "(an unsupported event was sent)", notice: "warmline answered HTTP {status}",
      unreachable: "warmline could not be reached", read: "Read", today: "Today", blocked: "You have blocked this account.",
      unblock: "Unblock", stickerAlt: "Sticker", photoAlt: "Photo", videoAlt: "Video", audioAlt: "Voice message", fileAlt: "File", unsupported: "Unsupported message",
    },
  };
  const NEW = "__new__";

  const $ = (id) => document.getElementById(id);
  const log = $("log"), quick = $("quick"), picker = $("userPicker"), input = $("text");
  const st = {
    lang: "zh-TW", bot: { displayName: "warmline" }, users: [], userId: "", after: 0, version: -1,
    readSeq: 0, following: true, gen: 0, abort: null, lastDay: "", loadingTimer: 0, lastEntry: null,
  };

  function t(key, vars) {
    const s = (LABELS[st.lang] || LABELS.en)[key] || LABELS.en[key] || key;
    return s.replace(/\{(\w+)\}/g, (_, k) => (vars && k in vars ? String(vars[k]) : ""));
  }

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  async function api(path, body) {
    const opts = body === undefined ? {} : {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
    };
    const res = await fetch(path, opts);
    if (!res.ok) throw new Error(path + " " + res.status);
    return res.json();
  }

  // ---- labels and language -------------------------------------------------

  function applyLabels() {
    document.documentElement.lang = st.lang;
    document.querySelectorAll("[data-l]").forEach((n) => { n.textContent = t(n.dataset.l); });
    document.querySelectorAll("[data-lt]").forEach((n) => { n.title = t(n.dataset.lt); n.setAttribute("aria-label", t(n.dataset.lt)); });
    input.placeholder = t("placeholder");
    document.querySelectorAll("#langSwitch button").forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.lang === st.lang)));
    renderPicker();
    renderFollow();
    document.querySelectorAll("[data-read]").forEach((n) => { n.textContent = t("read"); });
    document.querySelectorAll("[data-sys]").forEach((n) => { n.textContent = sysText(n.dataset.sys, Number(n.dataset.status || 0)); });
    document.querySelectorAll("[data-day]").forEach((n) => { n.textContent = dayLabel(Number(n.dataset.day)); });
  }

  async function setLang(lang) {
    st.lang = lang;
    localStorage.setItem("lineemu.lang", lang);
    applyLabels();
    const u = currentUser();
    if (u) {
      const p = await api("api/profile", { userId: u.userId, displayName: u.displayName, language: lang });
      Object.assign(u, p);
    }
  }

  // ---- users ---------------------------------------------------------------

  function currentUser() { return st.users.find((u) => u.userId === st.userId); }

  function renderPicker() {
    picker.replaceChildren();
    for (const u of st.users) {
      const o = el("option", null, u.displayName);
      o.value = u.userId;
      picker.append(o);
    }
    const o = el("option", null, t("newCustomer"));
    o.value = NEW;
    picker.append(o);
    picker.value = st.userId;
  }

  function renderFollow() {
    const b = $("followBtn");
    b.textContent = st.following ? t("unfollow") : t("follow");
    b.className = "emu-btn " + (st.following ? "danger" : "go");
    $("blocked").hidden = st.following;
    $("composer").classList.toggle("off", !st.following);
  }

  async function selectUser(id, followAfter) {
    let u = st.users.find((x) => x.userId === id);
    if (id === NEW) {
      const name = t("guest") + " " + Math.floor(1000 + Math.random() * 9000);
      u = await api("api/profile", { userId: "", displayName: name, language: st.lang });
      st.users.push(u);
      id = u.userId;
    } else if (u && !u.registered) {
      Object.assign(u, await api("api/profile", { userId: u.userId, displayName: u.displayName, language: u.language || st.lang }));
    }
    st.userId = id;
    localStorage.setItem("lineemu.user", id);
    if (u && u.language && LABELS[u.language]) st.lang = u.language;
    resetLog();
    applyLabels();
    startPolling();
    if (followAfter) await post("api/follow", {});
  }

  // ---- transcript rendering -------------------------------------------------

  function resetLog() {
    log.replaceChildren();
    quick.replaceChildren();
    quick.hidden = true;
    st.after = 0; st.version = -1; st.readSeq = 0; st.lastDay = ""; st.lastEntry = null;
    hideTyping();
  }

  // Times are shown in the shop's zone (st.timeZone, from the server) when it
  // has one, as on a Taiwan customer's phone; else in the browser's own.
  const zone = () => (st.timeZone ? { timeZone: st.timeZone } : {});
  const hhmm = (ms) => new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit", hourCycle: "h23", ...zone() }).format(new Date(ms));
  const dayKey = (ms) => new Intl.DateTimeFormat("en-CA", { year: "numeric", month: "2-digit", day: "2-digit", ...zone() }).format(new Date(ms));
  function dayLabel(ms) {
    if (dayKey(ms) === dayKey(Date.now())) return t("today");
    return new Date(ms).toLocaleDateString(st.lang, { month: "short", day: "numeric", weekday: "short", ...zone() });
  }

  function sysText(kind, status) {
    const bot = st.bot.displayName;
    switch (kind) {
      case "follow": return t("followed", { bot });
      case "unblocked": return t("unblocked", { bot });
      case "unfollow": return t("unfollowed", { bot });
      case "unknown": return t("unknown");
      case "notice": return status ? t("notice", { status }) : t("unreachable");
      default: return kind;
    }
  }

  function addDay(ms) {
    const key = dayKey(ms);
    if (key === st.lastDay) return;
    st.lastDay = key;
    const d = el("div", "day", dayLabel(ms));
    d.dataset.day = String(ms);
    log.append(d);
  }

  function meRow(entry, content) {
    const row = el("div", "row me");
    const line = el("div", "line");
    const meta = el("div", "meta");
    const read = el("span", "read");
    read.dataset.read = "";
    read.dataset.seq = String(entry.seq);
    read.hidden = entry.seq > st.readSeq;
    read.textContent = t("read");
    meta.append(read, el("span", null, hhmm(entry.at)));
    line.append(content, meta);
    row.append(line);
    return row;
  }

  function botRow(entry, content, first) {
    const row = el("div", "row bot");
    const av = el("div", "avatar" + (first ? "" : " ghost"), (st.bot.displayName || "W").slice(0, 1).toUpperCase());
    const stack = el("div", "stack");
    if (first) stack.append(el("div", "name", st.bot.displayName));
    const line = el("div", "line");
    const meta = el("div", "meta");
    meta.append(el("span", null, hhmm(entry.at)));
    line.append(content, meta);
    stack.append(line);
    row.append(av, stack);
    return row;
  }

  function stickerSVG() {
    const ns = "http://www.w3.org/2000/svg";
    const s = document.createElementNS(ns, "svg");
    s.setAttribute("viewBox", "0 0 120 120");
    s.setAttribute("class", "sticker");
    const parts = [
      ["circle", { cx: 30, cy: 34, r: 15, fill: "#8a5a3b" }], ["circle", { cx: 90, cy: 34, r: 15, fill: "#8a5a3b" }],
      ["circle", { cx: 30, cy: 34, r: 7, fill: "#c98e68" }], ["circle", { cx: 90, cy: 34, r: 7, fill: "#c98e68" }],
      ["ellipse", { cx: 60, cy: 66, rx: 44, ry: 40, fill: "#9b6645" }],
      ["ellipse", { cx: 60, cy: 80, rx: 20, ry: 15, fill: "#f1d9c4" }],
      ["circle", { cx: 44, cy: 60, r: 5, fill: "#1b1b1b" }], ["circle", { cx: 76, cy: 60, r: 5, fill: "#1b1b1b" }],
      ["ellipse", { cx: 60, cy: 73, rx: 6, ry: 4.5, fill: "#1b1b1b" }],
      ["path", { d: "M52 84c4 4 12 4 16 0", fill: "none", stroke: "#1b1b1b", "stroke-width": 2.5, "stroke-linecap": "round" }],
      ["ellipse", { cx: 35, cy: 75, rx: 7, ry: 4, fill: "#f28b8b", opacity: .7 }], ["ellipse", { cx: 85, cy: 75, rx: 7, ry: 4, fill: "#f28b8b", opacity: .7 }],
    ];
    for (const [tag, attrs] of parts) {
      const n = document.createElementNS(ns, tag);
      for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, String(v));
      s.append(n);
    }
    s.setAttribute("role", "img");
    s.setAttribute("aria-label", t("stickerAlt"));
    return s;
  }

  function photoBox() {
    const box = el("div", "photo");
    box.innerHTML = '<svg viewBox="0 0 24 24" aria-hidden="true"><rect x="3" y="5" width="18" height="14" rx="2.5" fill="none" stroke="currentColor" stroke-width="1.6"/><circle cx="9" cy="10" r="1.8" fill="currentColor"/><path d="M4 17l5-4.5 3.5 3 3-2.5L20 17" fill="none" stroke="currentColor" stroke-width="1.6"/></svg>';
    box.setAttribute("aria-label", t("photoAlt"));
    return box;
  }

  function renderEntry(entry) {
    if (entry.kind === "loading") return; // shown through loadingMs
    addDay(entry.at);
    if (entry.from === "system") {
      if (entry.kind === "notice") {
        const n = el("div", "notice", sysText("notice", entry.status));
        n.dataset.sys = "notice"; n.dataset.status = String(entry.status || 0);
        log.append(n);
        return; // a delivery notice does not hide quick replies
      } else {
        const n = el("div", "sys", sysText(entry.kind));
        n.dataset.sys = entry.kind;
        log.append(n);
      }
      st.lastEntry = entry;
      return;
    }
    if (entry.from === "customer") {
      let content;
      if (entry.kind === "sticker") content = stickerSVG();
      else if (entry.kind === "image") content = photoBox();
      else if (entry.kind === "video" || entry.kind === "audio" || entry.kind === "file") {
        content = el("div", "bubble", "📎 " + (entry.text || t(entry.kind + "Alt")));
      }
      else if (entry.kind === "postback" && !entry.text) { st.lastEntry = entry; return; }
      else content = el("div", "bubble", entry.text);
      log.append(meRow(entry, content));
      st.lastEntry = entry;
      return;
    }
    const first = !st.lastEntry || st.lastEntry.from !== "bot";
    log.append(botRow(entry, renderBotMessage(entry.message || {}), first));
    st.lastEntry = entry;
  }

  function renderBotMessage(m) {
    switch (m.type) {
      case "text": case "textV2": return el("div", "bubble", m.text);
      case "flex": {
        try { return flexNode(m.contents, null); } catch (e) { return el("div", "bubble alt", m.altText); }
      }
      case "template": return template(m);
      case "sticker": return stickerSVG();
      case "image": {
        if (!safeURL(m.previewImageUrl || m.originalContentUrl)) return photoBox();
        const img = el("img", "bot-img");
        img.src = m.previewImageUrl || m.originalContentUrl;
        img.alt = t("photoAlt");
        img.onerror = () => img.replaceWith(photoBox());
        return img;
      }
      default: return el("div", "bubble alt", m.altText || t("unsupported"));
    }
  }

  // ---- quick reply, loading, read marks -----------------------------------

  function renderQuick() {
    quick.replaceChildren();
    const e = st.lastEntry;
    const items = e && e.from === "bot" && e.message && e.message.quickReply && e.message.quickReply.items;
    if (!items || !items.length || !st.following) { quick.hidden = true; return; }
    for (const it of items) {
      const a = it.action || {};
      const chip = el("button", "chip", a.label || a.type);
      chip.type = "button";
      chip.addEventListener("click", () => doAction(a));
      quick.append(chip);
    }
    quick.hidden = false;
  }

  let typing = null;
  function showTyping(ms) {
    hideTyping();
    typing = el("div", "row bot typing");
    const av = el("div", "avatar", (st.bot.displayName || "W").slice(0, 1).toUpperCase());
    const b = el("div", "bubble");
    b.append(el("i"), el("i"), el("i"));
    typing.append(av, b);
    log.append(typing);
    st.loadingTimer = setTimeout(hideTyping, ms);
  }
  function hideTyping() {
    clearTimeout(st.loadingTimer);
    if (typing) typing.remove();
    typing = null;
  }

  function updateReads() {
    document.querySelectorAll("[data-read]").forEach((n) => { n.hidden = Number(n.dataset.seq) > st.readSeq; });
  }

  function scrollDown() { log.scrollTop = log.scrollHeight; }

  // ---- actions --------------------------------------------------------------

  function safeURL(u) { return typeof u === "string" && /^(https?:|tel:|mailto:)/i.test(u); }

  async function post(path, body) {
    if (!st.userId) return;
    try {
      await api(path, Object.assign({ userId: st.userId }, body));
    } catch (e) {
      console.error(e);
    }
  }

  function doAction(a) {
    switch (a.type) {
      case "message": return post("api/send", { text: a.text || a.label });
      case "postback": return post("api/postback", { data: a.data, displayText: a.displayText || "" });
      case "uri": if (safeURL(a.uri)) window.open(a.uri, "_blank", "noopener"); return;
      case "datetimepicker": return post("api/postback", { data: a.data, displayText: "" });
      default: return undefined;
    }
  }

  function actionButton(a, style, height, color) {
    const label = a.label || a.uri || a.type;
    let b;
    if (a.type === "uri" && safeURL(a.uri)) {
      b = el("a", null, label);
      b.href = a.uri; b.target = "_blank"; b.rel = "noopener noreferrer";
    } else {
      b = el("button", null, label);
      b.type = "button";
      b.addEventListener("click", () => doAction(a));
    }
    b.className = "fx-button " + (style || "link") + (height === "sm" ? " sm" : "");
    if (color) {
      if (style === "primary" || style === "secondary") b.style.background = color;
      else b.style.color = color;
    }
    return b;
  }

  function template(m) {
    const tp = m.template || {};
    const box = el("div", "tpl");
    if (tp.type === "buttons" || tp.type === "confirm") {
      if (tp.title) box.append(el("div", "tpl-title", tp.title));
      box.append(el("div", "tpl-text", tp.text));
      const acts = el("div", "tpl-actions" + (tp.type === "confirm" ? " confirm" : ""));
      for (const a of tp.actions || []) acts.append(actionButton(a, "link"));
      box.append(acts);
      return box;
    }
    return el("div", "bubble alt", m.altText);
  }

  // ---- Flex ------------------------------------------------------------------

  const SIZES = { xxs: 11, xs: 12, sm: 13, md: 14, lg: 16, xl: 18, xxl: 21, "3xl": 24, "4xl": 30, "5xl": 38 };
  const SPACE = { none: 0, xs: 2, sm: 4, md: 8, lg: 12, xl: 16, xxl: 20 };
  const px = (v, table) => (v === undefined || v === null ? null : (v in table ? table[v] + "px" : String(v)));
  const JUSTIFY = { "flex-start": "flex-start", center: "center", "flex-end": "flex-end", "space-between": "space-between", "space-around": "space-around", "space-evenly": "space-evenly" };

  function boxStyle(n, node, parentLayout) {
    const s = n.style;
    if (node.backgroundColor) s.background = node.backgroundColor;
    if (node.cornerRadius) s.borderRadius = px(node.cornerRadius, SPACE);
    if (node.borderWidth && node.borderColor) s.border = (px(node.borderWidth, { none: 0, light: 0.5, normal: 1, medium: 2, "semi-bold": 3, bold: 4 }) || "1px") + " solid " + node.borderColor;
    for (const side of ["All", "Top", "Bottom", "Start", "End"]) {
      const v = node["padding" + side];
      if (v === undefined) continue;
      const p = px(v, SPACE);
      if (side === "All") s.padding = p; else s["padding" + { Top: "Top", Bottom: "Bottom", Start: "Left", End: "Right" }[side]] = p;
    }
    if (node.width) s.width = node.width;
    if (node.height) s.height = node.height;
    if (node.justifyContent) s.justifyContent = JUSTIFY[node.justifyContent] || "";
    if (node.alignItems) s.alignItems = JUSTIFY[node.alignItems] || "";
    flexItem(n, node, parentLayout);
  }

  function flexItem(n, node, parentLayout) {
    const horizontal = parentLayout === "horizontal" || parentLayout === "baseline";
    const f = node.flex !== undefined ? node.flex : (horizontal ? 1 : 0);
    if (f > 0) n.style.flex = `${f} ${f} 0`;
    else n.style.flex = "0 0 auto";
    if (node.margin !== undefined) {
      const m = px(node.margin, SPACE);
      if (horizontal) n.style.marginLeft = m; else n.style.marginTop = m;
    }
    if (node.gravity && parentLayout === "horizontal") n.style.alignSelf = { top: "flex-start", center: "center", bottom: "flex-end" }[node.gravity] || "";
    if (node.offsetTop) n.style.marginTop = node.offsetTop;
  }

  function flexNode(node, parentLayout) {
    if (!node || typeof node !== "object") return el("span");
    switch (node.type) {
      case "carousel": {
        const c = el("div", "fx-carousel");
        for (const b of node.contents || []) c.append(flexNode(b, null));
        return c;
      }
      case "bubble": {
        const b = el("div", "fx-bubble " + (node.size || "mega"));
        const styles = node.styles || {};
        let prev = false;
        for (const sec of ["header", "hero", "body", "footer"]) {
          if (!node[sec]) continue;
          const wrap = el("div", "fx-section " + sec);
          const ss = styles[sec] || {};
          if (ss.backgroundColor) wrap.style.background = ss.backgroundColor;
          if (prev && ss.separator) wrap.classList.add("fx-sep-section");
          if (ss.separator && ss.separatorColor) wrap.style.borderTopColor = ss.separatorColor;
          const inner = flexNode(node[sec], "vertical");
          inner.style.flex = "";
          if (sec === "hero" && node[sec].type !== "box") wrap.style.padding = "0";
          wrap.append(inner);
          b.append(wrap);
          prev = true;
        }
        return b;
      }
      case "box": {
        const layout = node.layout || "vertical";
        const n = el("div", "fx-box " + layout);
        boxStyle(n, node, parentLayout);
        const gap = px(node.spacing, SPACE);
        if (gap) n.style.gap = gap;
        for (const c of node.contents || []) n.append(flexNode(c, layout));
        return n;
      }
      case "text": {
        const n = el("div", "fx-text" + (node.wrap ? " wrap" : ""));
        if (Array.isArray(node.contents) && node.contents.length) {
          for (const sp of node.contents) {
            const s = el("span", null, sp.text);
            if (sp.size) s.style.fontSize = px(sp.size, SIZES);
            if (sp.weight === "bold") s.style.fontWeight = "700";
            if (sp.color) s.style.color = sp.color;
            if (sp.style === "italic") s.style.fontStyle = "italic";
            if (sp.decoration && sp.decoration !== "none") s.style.textDecoration = sp.decoration;
            n.append(s);
          }
        } else {
          n.textContent = node.text == null ? "" : String(node.text);
        }
        if (node.size) n.style.fontSize = px(node.size, SIZES);
        if (node.weight === "bold") n.style.fontWeight = "700";
        if (node.color) n.style.color = node.color;
        if (node.style === "italic") n.style.fontStyle = "italic";
        if (node.decoration && node.decoration !== "none") n.style.textDecoration = node.decoration;
        if (node.align) n.style.textAlign = { start: "left", center: "center", end: "right" }[node.align] || "";
        if (node.lineSpacing) n.style.lineHeight = "calc(1.4em + " + node.lineSpacing + ")";
        if (node.maxLines) { n.style.display = "-webkit-box"; n.style.webkitLineClamp = String(node.maxLines); n.style.webkitBoxOrient = "vertical"; }
        if (node.action) { n.style.cursor = "pointer"; n.addEventListener("click", () => doAction(node.action)); }
        flexItem(n, node, parentLayout);
        return n;
      }
      case "separator": {
        const n = el("hr", "fx-sep");
        if (node.color) n.style.borderColor = node.color;
        if (node.margin !== undefined) {
          const m = px(node.margin, SPACE);
          if (parentLayout === "horizontal" || parentLayout === "baseline") n.style.marginLeft = m; else n.style.marginTop = m;
        }
        return n;
      }
      case "button": {
        const n = actionButton(node.action || {}, node.style, node.height, node.color);
        flexItem(n, node, parentLayout);
        return n;
      }
      case "image": case "icon": {
        const url = node.url;
        if (!safeURL(url)) return el("span");
        const img = el("img", node.type === "icon" ? "fx-icon" : "fx-img");
        img.src = url; img.alt = "";
        if (node.type === "image" && node.aspectRatio) {
          const [w, h] = String(node.aspectRatio).split(":").map(Number);
          if (w && h) img.style.aspectRatio = `${w} / ${h}`;
        }
        if (node.type === "icon" && node.size) { img.style.width = img.style.height = px(node.size, SIZES); }
        img.onerror = () => { img.style.visibility = "hidden"; };
        if (node.type === "image") flexItem(img, node, parentLayout);
        return img;
      }
      case "filler": return el("div", "fx-filler");
      case "spacer": { const n = el("div"); n.style.height = px(node.size || "md", SPACE); n.style.flex = "none"; return n; }
      case "span": return el("span", null, node.text);
      default: return el("span");
    }
  }

  // ---- long poll ---------------------------------------------------------------

  function startPolling() {
    st.gen++;
    if (st.abort) st.abort.abort();
    poll(st.gen);
  }

  async function poll(gen) {
    let backoff = 500;
    while (gen === st.gen) {
      const ctrl = new AbortController();
      st.abort = ctrl;
      try {
        const q = new URLSearchParams({ userId: st.userId, after: String(st.after), v: String(st.version) });
        const res = await fetch("api/messages?" + q, { signal: ctrl.signal });
        if (!res.ok) throw new Error("messages " + res.status);
        const data = await res.json();
        if (gen !== st.gen) return;
        apply(data);
        backoff = 500;
      } catch (e) {
        if (gen !== st.gen) return;
        await new Promise((r) => setTimeout(r, backoff));
        backoff = Math.min(backoff * 2, 5000);
      }
    }
  }

  function apply(data) {
    if (data.total < st.after) { resetLog(); return; } // the emulator was reset or restarted
    if (typing) typing.remove();
    let botArrived = false;
    for (const e of data.entries) {
      if (e.seq <= st.after) continue;
      if (e.from === "system" && e.kind === "follow") {
        // A follow after a block is an unblock.
        const prev = [...log.querySelectorAll("[data-sys]")].filter((n) => n.dataset.sys !== "notice" && n.dataset.sys !== "unknown").pop();
        if (prev && prev.dataset.sys === "unfollow") e.kind = "unblocked";
      }
      renderEntry(e);
      if (e.from === "bot" && e.kind !== "loading") botArrived = true;
      st.after = e.seq;
    }
    st.version = data.version;
    st.readSeq = data.readSeq;
    st.following = data.following;
    renderFollow();
    updateReads();
    renderQuick();
    if (data.loadingMs > 0 && !botArrived) showTyping(data.loadingMs);
    else hideTyping();
    if (data.entries.length || typing) scrollDown();
  }

  // ---- wiring ----------------------------------------------------------------

  $("composer").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    input.value = "";
    $("sendBtn").disabled = true;
    await post("api/send", { text });
  });
  window.addEventListener("resize", scrollDown);
  input.addEventListener("input", () => { $("sendBtn").disabled = !input.value.trim(); });
  $("stickerBtn").addEventListener("click", () => post("api/sticker", {}));
  // The photo button opens a file picker; the file is sent as LINE would
  // (an image, video, audio or file message whose content the content API
  // serves).
  $("imageBtn").addEventListener("click", () => $("fileInput").click());
  $("fileInput").addEventListener("change", () => {
    const f = $("fileInput").files[0];
    $("fileInput").value = "";
    if (!f) return;
    const r = new FileReader();
    r.onload = () => {
      const data = String(r.result).replace(/^data:[^,]*,/, "");
      post("api/upload", { name: f.name, contentType: f.type, data });
    };
    r.readAsDataURL(f);
  });
  $("followBtn").addEventListener("click", () => post(st.following ? "api/unfollow" : "api/follow", {}));
  $("unblockBtn").addEventListener("click", () => post("api/follow", {}));
  $("langSwitch").addEventListener("click", (ev) => {
    const b = ev.target.closest("button[data-lang]");
    if (b) setLang(b.dataset.lang);
  });
  picker.addEventListener("change", () => {
    selectUser(picker.value, picker.value === NEW).catch(console.error);
  });

  async function boot() {
    const saved = localStorage.getItem("lineemu.lang");
    if (saved && LABELS[saved]) st.lang = saved;
    applyLabels();
    const data = await api("api/users");
    st.bot = data.bot || st.bot;
    st.timeZone = data.timeZone || "";
    $("botName").textContent = st.bot.displayName;
    st.users = data.users || [];
    const params = new URLSearchParams(location.search);
    const want = params.get("user") || localStorage.getItem("lineemu.user");
    const lang = params.get("lang");
    const u = st.users.find((x) => x.userId === want) || st.users[0];
    await selectUser(u.userId, false);
    if (lang && LABELS[lang] && lang !== st.lang) await setLang(lang);
    document.documentElement.dataset.ready = "true"; // tests wait for this
  }
  boot().catch((e) => { console.error(e); setTimeout(boot, 2000); });
})();
