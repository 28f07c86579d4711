// warmline inbox: the queue (open cases of the agent's tiers by SLA due),
// updated live from the event stream.
'use strict';

(async () => {
  if (!(await WL.boot())) return;
  const { t, n, el, api, state } = WL;
  const me = state.me;
  const body = document.getElementById('queue-body');
  const empty = document.getElementById('queue-empty');
  const summary = document.getElementById('queue-summary');
  const f = {
    tier: document.getElementById('filter-tier'),
    priority: document.getElementById('filter-priority'),
    mine: document.getElementById('filter-mine'),
    unassigned: document.getElementById('filter-unassigned'),
    followups: document.getElementById('filter-followups'),
  };
  // Leads see the follow-up tasks (low ratings, returns without a reply).
  document.getElementById('filter-followups-label').hidden = me.role !== 'lead';
  const sound = document.getElementById('sound-toggle');
  const notify = document.getElementById('notify-toggle');
  let cases = [];
  const seen = new Set();
  let first = true;

  // Filters and toggles are remembered per browser.
  function load(key, def) { try { return JSON.parse(localStorage.getItem(key)) ?? def; } catch (e) { return def; } }
  function save(key, v) { try { localStorage.setItem(key, JSON.stringify(v)); } catch (e) { /* private mode */ } }
  const saved = load('wl.filters', {});
  f.tier.value = saved.tier || '';
  f.priority.value = saved.priority || '';
  f.mine.checked = !!saved.mine;
  f.unassigned.checked = !!saved.unassigned;
  f.followups.checked = me.role === 'lead' && !!saved.followups;
  sound.checked = !!load('wl.sound', false);
  notify.checked = !!load('wl.notify', false) && 'Notification' in window && Notification.permission === 'granted';
  for (const x of Object.values(f)) {
    x.addEventListener('change', () => {
      if (x === f.mine && f.mine.checked) f.unassigned.checked = false;
      if (x === f.unassigned && f.unassigned.checked) f.mine.checked = false;
      if (x === f.followups && f.followups.checked) f.mine.checked = f.unassigned.checked = false;
      if ((x === f.mine || x === f.unassigned) && x.checked) f.followups.checked = false;
      save('wl.filters', { tier: f.tier.value, priority: f.priority.value, mine: f.mine.checked, unassigned: f.unassigned.checked, followups: f.followups.checked });
      refresh();
    });
  }
  sound.addEventListener('change', () => { save('wl.sound', sound.checked); if (sound.checked) chime(); });
  notify.addEventListener('change', async () => {
    if (notify.checked && 'Notification' in window && Notification.permission !== 'granted') {
      const p = await Notification.requestPermission().catch(() => 'denied');
      if (p !== 'granted') { notify.checked = false; WL.toast(() => t('inbox_queue_desktop_denied'), 'error'); }
    }
    save('wl.notify', notify.checked);
  });

  function chime() {
    try {
      const ctx = new (window.AudioContext || window.webkitAudioContext)();
      const o = ctx.createOscillator();
      const g = ctx.createGain();
      o.type = 'sine';
      o.frequency.setValueAtTime(880, ctx.currentTime);
      o.frequency.setValueAtTime(1320, ctx.currentTime + 0.12);
      g.gain.setValueAtTime(0.0001, ctx.currentTime);
      g.gain.exponentialRampToValueAtTime(0.15, ctx.currentTime + 0.02);
      g.gain.exponentialRampToValueAtTime(0.0001, ctx.currentTime + 0.45);
      o.connect(g).connect(ctx.destination);
      o.start();
      o.stop(ctx.currentTime + 0.5);
    } catch (e) { /* no audio */ }
  }

  async function claim(c, btn) {
    btn.disabled = true;
    try {
      await api('POST', '/api/cases/' + encodeURIComponent(c.id) + '/claim');
      location.href = '/inbox/cases/' + encodeURIComponent(c.id);
    } catch (e) {
      WL.toast(() => WL.errorText(e), 'error');
      btn.disabled = false;
      refresh();
    }
  }

  // A closed case (a lead's follow-up after resolve) has no clock running:
  // its SLA cell says how it ended, not a countdown.
  const closed = (c) => c.status !== 'queued' && c.status !== 'claimed';

  function row(c, now) {
    const s = closed(c) ? null : WL.sla(c, now);
    const created = WL.parseTime(c.created_at);
    const href = '/inbox/cases/' + encodeURIComponent(c.id);
    const owner = c.owner
      ? el('span', { class: 'owner' + (c.owner === me.id ? ' owner-me' : ''), text: c.owner === me.id ? t('inbox_owner_you') : (c.owner_name || c.owner) })
      : el('span', { class: 'muted', text: t('inbox_unassigned') });
    // Whether the agent may claim it comes with the case from the server.
    const action = c.permissions && c.permissions.claim
      ? el('button', { class: 'btn btn-primary btn-small', 'data-testid': 'claim-button', text: t('inbox_claim'), onclick: (ev) => { ev.stopPropagation(); claim(c, ev.currentTarget); } })
      : el('a', { class: 'btn btn-small', href: href, 'data-testid': 'open-button', text: t('inbox_open') });
    const tr = el('tr', { class: 'queue-row prio-' + c.priority + (seen.has(c.id) || first ? '' : ' row-new'), 'data-testid': 'queue-row', dataset: { caseId: c.id, atRisk: String(!!c.at_risk) } },
      el('td', {}, el('span', { class: 'badge badge-' + c.priority, 'data-testid': 'priority', text: c.priority })),
      el('td', { class: 'case-cell' },
        el('a', { href: href, class: 'case-link' },
          el('span', { class: 'case-name', text: c.display_name || t('inbox_no_name') }),
          el('span', { class: 'case-id mono', text: c.id }),
          el('span', { class: 'chip chip-tier', text: c.tier })),
        el('div', { class: 'case-sub' },
          // On top because its deadline is near, though not in the agent's languages.
          c.at_risk && c.readable === false ? el('span', { class: 'chip chip-warn chip-small', 'data-testid': 'row-risk-language',
            text: t(c.overdue ? 'inbox_row_overdue_other_language' : 'inbox_row_at_risk_other_language', { lang: WL.langName(c.lang) }) }) : null,
          c.follow_up ? el('span', { class: 'chip chip-warn chip-small', 'data-testid': 'row-followup',
            text: t('inbox_followup_' + c.follow_up.reason, { score: c.follow_up.score || '' }) }) : null,
          ...(c.triggers || []).slice(0, 2).map((k) => el('span', { class: 'chip chip-warn chip-small', 'data-testid': 'row-trigger', text: WL.triggerName(k, c.topic) })),
          el('span', { class: 'case-brief', 'data-testid': 'row-brief', text: c.brief || '' }))),
      el('td', {}, el('span', { class: 'chip' + (c.readable === false ? ' chip-muted' : ''), 'data-testid': 'row-lang', dataset: { readable: String(c.readable !== false) },
        title: c.readable === false ? t('inbox_not_your_language') : '', text: WL.langName(c.lang) })),
      el('td', { class: 'waiting', dataset: { since: c.created_at } }, created ? WL.duration(now - created) : '—'),
      el('td', {}, closed(c)
        ? el('span', { class: 'sla sla-closed', 'data-testid': 'sla', dataset: { level: 'closed' } },
          el('span', { class: 'sla-time', text: WL.has('inbox_status_' + c.status) ? t('inbox_status_' + c.status) : '—' }))
        : el('span', { class: 'sla sla-' + (s ? s.level : 'ok'), 'data-testid': 'sla', dataset: { level: s ? s.level : '' } },
          el('span', { class: 'sla-kind', text: s && s.first ? t('inbox_sla_first') : t('inbox_sla_resolution') }),
          el('span', { class: 'sla-time', text: WL.slaText(s) }))),
      el('td', {}, owner),
      el('td', { class: 'row-action' }, action),
    );
    tr.addEventListener('click', (ev) => { if (!ev.target.closest('a,button')) location.href = href; });
    return tr;
  }

  function render() {
    const now = new Date();
    body.replaceChildren(...cases.map((c) => row(c, now)));
    empty.hidden = cases.length > 0;
    document.getElementById('queue-head').hidden = cases.length === 0;
    const filtered = !!(f.tier.value || f.priority.value || f.mine.checked || f.unassigned.checked || f.followups.checked);
    document.getElementById('queue-empty-title').textContent = t(filtered ? 'inbox_queue_empty_filtered' : 'inbox_queue_empty');
    document.getElementById('queue-empty-hint').textContent = t(filtered ? 'inbox_queue_empty_filtered_hint' : 'inbox_queue_empty_hint');
    const late = cases.filter((c) => { const s = closed(c) ? null : WL.sla(c, now); return s && s.level === 'late'; }).length;
    const unassigned = cases.filter((c) => !c.owner).length;
    summary.textContent = [n('inbox_queue_open_n', cases.length), n('inbox_queue_unassigned_n', unassigned), n('inbox_queue_overdue_n', late)].join(' · ');
    for (const c of cases) seen.add(c.id);
    first = false;
  }

  // tick updates the clocks once a second without rebuilding rows; when a
  // case reaches its risk point the server's order changes (at-risk cases
  // go on top whatever their language), so the queue is fetched again.
  function tick() {
    const now = new Date();
    if (cases.some((c) => !c.at_risk && !riskSeen.has(c.id) && c.risk_at && WL.parseTime(c.risk_at) <= now)) {
      cases.forEach((c) => { if (c.risk_at && WL.parseTime(c.risk_at) <= now) riskSeen.add(c.id); });
      refreshSoon();
    }
    const byId = new Map(cases.map((c) => [c.id, c]));
    body.querySelectorAll('tr.queue-row').forEach((tr) => {
      const c = byId.get(tr.dataset.caseId);
      if (!c || closed(c)) return;
      const s = WL.sla(c, now);
      const slaEl = tr.querySelector('.sla');
      slaEl.className = 'sla sla-' + (s ? s.level : 'ok');
      slaEl.dataset.level = s ? s.level : '';
      slaEl.querySelector('.sla-time').textContent = WL.slaText(s);
      const created = WL.parseTime(c.created_at);
      tr.querySelector('.waiting').textContent = created ? WL.duration(now - created) : '—';
    });
  }

  const riskSeen = new Set(); // cases whose risk point made the queue refresh
  let pending = null;
  async function refresh() {
    const q = new URLSearchParams();
    if (f.tier.value) q.set('tier', f.tier.value);
    if (f.priority.value) q.set('priority', f.priority.value);
    if (f.mine.checked) q.set('mine', '1');
    if (f.unassigned.checked) q.set('unassigned', '1');
    if (f.followups.checked) q.set('followups', '1');
    q.set('lang', state.lang); // briefs in the UI's current language
    try {
      const j = await api('GET', '/api/cases?' + q.toString());
      const before = new Set(seen);
      cases = j.cases || [];
      const fresh = first ? [] : cases.filter((c) => !before.has(c.id));
      render();
      if (fresh.length) announce(fresh);
    } catch (e) {
      if (e.status !== 401) WL.toast(() => WL.errorText(e), 'error');
    }
  }
  function refreshSoon() {
    clearTimeout(pending);
    pending = setTimeout(refresh, 150);
  }

  function announce(fresh) {
    if (sound.checked) chime();
    if (notify.checked && 'Notification' in window && Notification.permission === 'granted') {
      for (const c of fresh.slice(0, 3)) {
        const note = new Notification(t('inbox_notify_new', { priority: c.priority, id: c.id }), { body: c.brief || '', tag: c.id });
        note.onclick = () => { window.focus(); location.href = '/inbox/cases/' + encodeURIComponent(c.id); };
      }
    }
  }

  WL.onLang(() => refresh()); // the briefs come rendered in the new language
  await refresh();
  setInterval(tick, 1000);
  WL.live(() => refreshSoon());
})();
