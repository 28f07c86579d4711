// warmline inbox: shared helpers (i18n, API calls with CSRF, top bar, live
// events, time formatting). Customer text is only ever set with
// textContent; this file never assigns innerHTML.
'use strict';

const WL = (() => {
  const LANGS = ['zh-TW', 'zh-CN', 'en'];
  const EVENT_TYPES = ['case_opened', 'case_updated', 'customer_message', 'agent_reply', 'claimed',
    'released', 'escalated', 'resolved', 'returned', 'cancelled'];
  const state = { lang: document.documentElement.lang || 'zh-TW', dict: {}, me: null, csrf: '', tz: undefined, langHooks: [] };

  function fill(s, vars) {
    return String(s).replace(/\{(\w+)\}/g, (m, k) => (vars && vars[k] !== undefined && vars[k] !== null ? String(vars[k]) : m));
  }
  function t(id, vars) {
    let s = state.dict[id];
    if (s === undefined) return '[' + id + ']';
    if (typeof s === 'object') s = s.other;
    return fill(s, vars);
  }
  function n(id, count, vars) {
    const s = state.dict[id];
    let form = s;
    if (s === undefined) return '[' + id + ']';
    if (typeof s === 'object') form = (count === 1 && s.one) ? s.one : s.other;
    return fill(form, Object.assign({ count: count }, vars || {}));
  }
  function has(id) { return state.dict[id] !== undefined; }

  // triggerName names a trigger kind of a case on a chip: a security
  // trigger as a product safety or an account security report when the
  // case's topic (handoff.TopicProductSafety, TopicAccountSecurity) says
  // which, as the brief does.
  const SECURITY_TOPICS = { product_safety: 'product', account_security: 'account' };
  function triggerName(kind, topic, fallback) {
    if (kind === 'security' && SECURITY_TOPICS[topic]) return t('inbox_trigger_security_' + SECURITY_TOPICS[topic]);
    return has('inbox_trigger_' + kind) ? t('inbox_trigger_' + kind) : (fallback || kind);
  }

  function applyI18n(root) {
    (root || document).querySelectorAll('[data-i18n]').forEach((el) => { el.textContent = t(el.dataset.i18n); });
    (root || document).querySelectorAll('[data-i18n-placeholder]').forEach((el) => { el.placeholder = t(el.dataset.i18nPlaceholder); });
    (root || document).querySelectorAll('[data-i18n-title]').forEach((el) => { el.title = t(el.dataset.i18nTitle); });
    document.title = t('inbox_app_title');
  }

  async function loadDict(lang) {
    if (!LANGS.includes(lang)) lang = 'zh-TW';
    const r = await fetch('/inbox/i18n/' + lang + '.json', { credentials: 'same-origin' });
    const j = await r.json();
    state.dict = j.messages || {};
    state.lang = lang;
    document.documentElement.lang = lang;
    applyI18n(document);
    state.langHooks.forEach((f) => f(lang));
  }

  // el builds an element; string children become text nodes.
  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'class') e.className = v;
      else if (k === 'text') e.textContent = v;
      else if (k === 'dataset') Object.assign(e.dataset, v);
      else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v === true ? '' : v);
    }
    for (const c of children.flat()) {
      if (c === undefined || c === null || c === false) continue;
      e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return e;
  }

  function toLogin() {
    location.href = '/inbox/login?next=' + encodeURIComponent(location.pathname + location.search);
  }

  class APIError extends Error {
    constructor(status, body) {
      super((body && body.error) || ('http_' + status));
      this.status = status;
      this.code = (body && body.error) || 'internal';
      this.owner = body && body.owner;
      this.body = body || {};
    }
  }

  async function api(method, path, body) {
    const opts = { method: method, credentials: 'same-origin', headers: { Accept: 'application/json' } };
    if (method !== 'GET' && method !== 'HEAD') opts.headers['X-CSRF-Token'] = state.csrf;
    if (body !== undefined) {
      opts.headers['Content-Type'] = 'application/json';
      opts.body = JSON.stringify(body);
    }
    let r;
    try {
      r = await fetch(path, opts);
    } catch (e) {
      throw new APIError(0, { error: 'network' });
    }
    let j = null;
    try { j = await r.json(); } catch (e) { j = null; }
    if (r.status === 401 && path.startsWith('/api/')) {
      toLogin();
      throw new APIError(401, j);
    }
    if (!r.ok) throw new APIError(r.status, j);
    return j;
  }

  // errorText says what went wrong in the agent's language.
  function errorText(err) {
    const code = (err && (err.code || err.error)) || 'internal';
    const owner = err && err.owner ? (err.owner.name || err.owner.id) : '';
    if ((code === 'already_claimed' || code === 'not_owner') && owner) return t('inbox_err_' + code + '_by', { owner: owner });
    if (has('inbox_err_' + code)) return t('inbox_err_' + code);
    return t('inbox_err_internal');
  }

  // toast shows a message for 5 seconds. message is a function returning the
  // text (or a string): the text is rendered again when the agent switches
  // the language while it shows (tryout 11 #15: a zh-TW toast on an English page).
  const liveToasts = new Set();
  function toast(message, kind) {
    const box = document.getElementById('toasts');
    if (!box) return;
    const text = () => (typeof message === 'function' ? message() : message);
    const item = el('div', { class: 'toast toast-' + (kind || 'info'), role: 'status', 'data-testid': 'toast', text: text() });
    const live = { item, text };
    liveToasts.add(live);
    box.append(item);
    setTimeout(() => item.classList.add('toast-out'), 4500);
    setTimeout(() => { item.remove(); liveToasts.delete(live); }, 5000);
  }
  state.langHooks.push(() => liveToasts.forEach((l) => { l.item.textContent = l.text(); }));

  // ---- time -----------------------------------------------------------
  function parseTime(s) {
    if (!s) return null;
    const d = new Date(s);
    return isNaN(d.getTime()) || d.getUTCFullYear() <= 1 ? null : d;
  }
  function duration(ms) {
    const neg = ms < 0;
    let s = Math.floor(Math.abs(ms) / 1000);
    const d = Math.floor(s / 86400); s -= d * 86400;
    const h = Math.floor(s / 3600); s -= h * 3600;
    const m = Math.floor(s / 60); s -= m * 60;
    let out;
    if (d > 0) out = t('inbox_dur_dh', { d: d, h: h });
    else if (h > 0) out = t('inbox_dur_hm', { h: h, m: String(m).padStart(2, '0') });
    else out = t('inbox_dur_ms', { m: m, s: String(s).padStart(2, '0') });
    return neg ? '−' + out : out;
  }
  function fmtTime(d) {
    if (!d) return '—';
    return new Intl.DateTimeFormat(state.lang, { month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false, timeZone: state.tz }).format(d);
  }
  function fmtClock(d) {
    if (!d) return '';
    return new Intl.DateTimeFormat(state.lang, { hour: '2-digit', minute: '2-digit', hour12: false, timeZone: state.tz }).format(d);
  }

  // sla describes the next SLA clock of a case: which one, time left and a
  // level: ok, warn (≤ 25% left or ≤ 10 min) or late.
  function sla(c, now) {
    const first = !parseTime(c.first_response_at);
    // The first-reply clock counts to the time the customer was given
    // (handoff's Case.Promise), so agent and customer see the same deadline.
    const due = parseTime(first ? (c.promise || c.first_response_due) : c.resolution_due);
    if (!due) return null;
    const start = parseTime(c.escalated_at) || parseTime(c.created_at) || now;
    const total = Math.max(due - start, 1);
    const left = due - now;
    let level = 'ok';
    if (left < 0) level = 'late';
    else if (left <= total * 0.25 || left <= 10 * 60 * 1000) level = 'warn';
    return { first: first, due: due, left: left, level: level };
  }
  function slaText(s) {
    if (!s) return '—';
    return s.left < 0 ? t('inbox_sla_overdue', { d: duration(-s.left) }) : t('inbox_sla_left', { d: duration(s.left) });
  }

  function langName(code) { return has('inbox_lang_' + code) ? t('inbox_lang_' + code) : (code || '—'); }
  function roleName(role) { return has('inbox_role_' + role) ? t('inbox_role_' + role) : role; }

  // ---- top bar ----------------------------------------------------------
  function langSelect(select, onChange) {
    select.replaceChildren(...LANGS.map((l) => el('option', { value: l, text: t('inbox_autonym_' + l) })));
    select.value = state.lang;
    select.onchange = () => onChange(select.value);
  }

  async function setLang(lang) {
    if (state.me) {
      try { await api('POST', '/inbox/prefs', { lang: lang }); } catch (e) { toast(() => errorText(e), 'error'); }
    }
    try { localStorage.setItem('wl.lang', lang); } catch (e) { /* private mode */ }
    await loadDict(lang);
    renderTopbar();
  }

  function renderTopbar() {
    const bar = document.getElementById('topbar');
    if (!bar || !state.me) return;
    const sel = el('select', { id: 'lang-select', 'data-testid': 'lang-select', class: 'select-quiet', 'aria-label': t('inbox_language') });
    langSelect(sel, setLang);
    const conn = el('span', { id: 'conn', class: 'conn conn-' + connState, 'data-testid': 'conn', title: t('inbox_conn_' + connState) },
      el('span', { class: 'dot' }), el('span', { class: 'conn-text', text: t('inbox_conn_' + connState) }));
    bar.replaceChildren(
      el('a', { class: 'brand', href: '/inbox/queue' }, el('img', { src: '/inbox/static/icon.svg', alt: '', width: 24, height: 24 }), el('span', { text: 'warmline' }),
        el('span', { class: 'brand-sub', text: t('inbox_app_name') })),
      el('nav', { class: 'nav' }, el('a', { href: '/inbox/queue', 'data-testid': 'nav-queue', class: location.pathname === '/inbox/queue' ? 'active' : '', text: t('inbox_nav_queue') })),
      el('div', { class: 'spacer' }),
      conn,
      sel,
      el('span', { class: 'me', 'data-testid': 'me' }, el('span', { class: 'avatar', 'aria-hidden': 'true', text: (state.me.name || state.me.id).slice(0, 1) }),
        el('span', { class: 'me-name', text: state.me.name }), el('span', { class: 'chip chip-role', text: roleName(state.me.role) })),
      el('button', { class: 'btn btn-quiet', id: 'logout-button', 'data-testid': 'logout-button', text: t('inbox_logout'), onclick: logout }),
    );
  }

  async function logout() {
    try { await api('POST', '/inbox/logout'); } catch (e) { /* signed out anyway */ }
    location.href = '/inbox/login';
  }

  // ---- live events ----------------------------------------------------
  let connState = 'connecting';
  function setConn(s) {
    connState = s;
    const c = document.getElementById('conn');
    if (!c) return;
    c.className = 'conn conn-' + s;
    c.title = t('inbox_conn_' + s);
    const txt = c.querySelector('.conn-text');
    if (txt) txt.textContent = t('inbox_conn_' + s);
  }

  // live calls onEvent(type, data) for every event. EventSource reconnects
  // by itself and sends Last-Event-ID; if the browser gives up (the server
  // answered with an error) we check the session and start again after the
  // last event seen.
  function live(onEvent) {
    let lastID = '';
    let es = null;
    function connect() {
      es = new EventSource('/api/events' + (lastID ? '?after=' + encodeURIComponent(lastID) : ''));
      es.onopen = () => setConn('live');
      es.onerror = () => {
        setConn('reconnecting');
        if (es.readyState === EventSource.CLOSED) {
          setTimeout(async () => {
            const r = await fetch('/inbox/session', { credentials: 'same-origin' }).catch(() => null);
            if (r && r.status === 401) { toLogin(); return; }
            connect();
          }, 3000);
        }
      };
      for (const type of EVENT_TYPES) {
        es.addEventListener(type, (e) => {
          if (e.lastEventId) lastID = e.lastEventId;
          let data = {};
          try { data = JSON.parse(e.data); } catch (err) { /* keep {} */ }
          onEvent(type, data);
        });
      }
    }
    connect();
    return () => es && es.close();
  }

  // boot loads the session and the dictionary, then shows the page.
  async function boot(opts) {
    const r = await fetch('/inbox/session', { credentials: 'same-origin' });
    if (r.status === 401) { toLogin(); return false; }
    const j = await r.json();
    state.me = j.agent;
    state.csrf = j.csrf_token;
    state.tz = j.time_zone || undefined;
    await loadDict(state.me.lang || state.lang);
    renderTopbar();
    document.body.classList.remove('booting');
    pendingToast();
    return true;
  }

  function onLang(f) { state.langHooks.push(f); }

  // A message left by the previous page (e.g. after escalating away).
  function pendingToast() {
    let msg = null;
    try { msg = sessionStorage.getItem('wl.toast'); sessionStorage.removeItem('wl.toast'); } catch (e) { /* private mode */ }
    // The previous page left a message key (it is shown in this page's language).
    if (msg) toast(() => (has(msg) ? t(msg) : msg), 'ok');
  }

  return {
    LANGS, state, t, n, has, triggerName, el, api, errorText, toast, parseTime, duration, fmtTime, fmtClock,
    sla, slaText, langName, roleName, loadDict, langSelect, boot, live, onLang, setConn, applyI18n,
  };
})();
