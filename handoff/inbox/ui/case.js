// warmline inbox: one case. Brief and facts first, then the transcript
// (customer messages arrive live), the composer with SOP reply templates,
// and the case actions.
'use strict';

(async () => {
  if (!(await WL.boot())) return;
  const { t, n, el, api, state } = WL;
  const me = state.me;
  const id = decodeURIComponent(location.pathname.replace(/^\/inbox\/cases\//, ''));
  const path = '/api/cases/' + encodeURIComponent(id);
  const $ = (x) => document.getElementById(x);
  let c = null;
  let brief = [];
  let facts = { triggers: [], tried: [] };
  let names = {}; // agent id → name, from the server
  let canned = null;
  let agents = null;
  let busy = false;

  const isOpen = () => c && (c.status === 'queued' || c.status === 'claimed');
  const isOwner = () => c && c.owner === me.id;
  // may is what the server says this agent may do with the case now
  // (handoff.PermissionsFor): the controls follow it, never a rule of
  // their own.
  const may = () => (c && c.permissions) || {};

  function showError(e) {
    const box = $('error-banner');
    box.textContent = WL.errorText(e);
    box.hidden = false;
    box.scrollIntoView({ block: 'nearest' });
  }
  function clearError() { $('error-banner').hidden = true; }

  async function load() {
    try {
      const j = await api('GET', path + '?lang=' + encodeURIComponent(state.lang));
      c = j.case;
      brief = j.brief || [];
      facts = j.facts || { triggers: [], tried: [] };
      names = j.names || {};
      if (may().assign && !agents) await loadAgents();
      render();
    } catch (e) {
      if (e.status !== 401) showError(e);
    }
  }
  async function loadCanned() {
    try {
      canned = await api('GET', path + '/canned');
    } catch (e) {
      canned = null;
    }
    renderCanned();
  }
  // The operator's disposition codes, for resolving.
  let dispositions = [];
  function dispositionLabel(code) {
    const d = dispositions.find((x) => x.code === code);
    return d ? d.label : code;
  }
  async function loadDispositions() {
    try { dispositions = (await api('GET', '/api/dispositions?lang=' + encodeURIComponent(state.lang))).dispositions || []; } catch (e) { dispositions = []; }
    const sel = $('resolve-disposition');
    const cur = sel.value;
    sel.replaceChildren(el('option', { value: '', text: t('inbox_disposition_choose') }),
      ...dispositions.map((d) => el('option', { value: d.code, text: d.label })));
    sel.value = cur;
  }
  async function loadAgents() {
    try { agents = (await api('GET', '/api/agents')).agents; } catch (e) { agents = []; }
  }

  // ---- rendering ------------------------------------------------------
  function nameOf(agentID) {
    if (!agentID) return '';
    if (agentID === me.id) return me.name;
    if (c && agentID === c.owner && c.owner_name) return c.owner_name;
    const a = (agents || []).find((x) => x.id === agentID);
    return a ? a.name : (names[agentID] || agentID);
  }

  function renderHead() {
    document.title = c.id + ' · ' + t('inbox_app_title');
    $('case-priority').textContent = c.priority;
    $('case-priority').className = 'badge badge-' + c.priority;
    $('case-name').textContent = c.display_name || t('inbox_no_name');
    $('case-id').textContent = c.id;
    $('case-tier').textContent = c.tier;
    $('case-lang').textContent = WL.langName(c.lang);
    $('case-status').textContent = t('inbox_status_' + c.status);
    $('case-status').className = 'chip status status-' + c.status;
    $('case-owner').textContent = c.owner ? (isOwner() ? t('inbox_owner_you_named', { name: nameOf(c.owner) }) : nameOf(c.owner)) : t('inbox_unassigned');
    tickSLA();
    const closed = $('closed-banner');
    if (!isOpen()) {
      const at = WL.parseTime(c.closed_at) || WL.parseTime(c.resolved_at);
      let text = t('inbox_closed_' + c.status, { time: WL.fmtTime(at) });
      if (c.satisfaction) text += ' · ' + t('inbox_csat', { score: c.satisfaction });
      if (c.disposition) text += ' · ' + t('inbox_disposition_closed', { label: dispositionLabel(c.disposition) });
      closed.textContent = text;
      closed.hidden = false;
    } else {
      closed.hidden = true;
    }
    renderFollowUp();
  }

  // The lead's follow-up task (a low rating, a return without a reply).
  function renderFollowUp() {
    const fu = c.follow_up;
    const box = $('followup-banner');
    box.hidden = !fu;
    if (!fu) return;
    const parts = [t('inbox_followup_' + fu.reason, { score: fu.score || '' })];
    if (fu.comment) parts.push(t('inbox_followup_comment', { text: fu.comment }));
    if (fu.done_at) parts.push(t('inbox_followup_done_by', { name: nameOf(fu.done_by), time: WL.fmtTime(WL.parseTime(fu.done_at)) }) + (fu.note ? ' · ' + fu.note : ''));
    $('followup-text').textContent = parts.join(' · ');
    $('followup-done-row').hidden = !may().complete_follow_up;
  }

  function tickSLA() {
    if (!c) return;
    const x = $('case-sla');
    if (!isOpen()) {
      // A closed case: how it ended (and the agent's disposition), not a
      // deadline with nothing after it.
      $('case-sla-label').textContent = t('inbox_case_outcome');
      x.className = 'sla sla-closed';
      x.dataset.level = 'closed';
      const how = WL.has('inbox_outcome_' + c.status) ? t('inbox_outcome_' + c.status) : t('inbox_status_' + c.status);
      x.textContent = c.disposition ? how + ' · ' + dispositionLabel(c.disposition) : how;
      return;
    }
    const s = WL.sla(c, new Date());
    $('case-sla-label').textContent = s && s.first ? t('inbox_sla_first') : t('inbox_sla_resolution');
    x.className = 'sla sla-' + (s && isOpen() ? s.level : 'ok');
    x.dataset.level = s ? s.level : '';
    x.textContent = isOpen() ? WL.slaText(s) + ' · ' + WL.fmtTime(s && s.due) : '—';
  }

  function renderBrief() {
    $('brief-lines').replaceChildren(...brief.map((line) => el('li', { 'data-testid': 'brief-line', text: line })));
    const sum = $('case-summary');
    sum.hidden = !c.summary;
    sum.textContent = c.summary ? t('inbox_case_summary', { text: c.summary }) : '';
  }

  function factSection(title, ...items) {
    const body = items.flat().filter(Boolean);
    if (!body.length) return null;
    return el('div', { class: 'fact' }, el('h3', { text: title }), ...body);
  }

  function renderFacts() {
    // Triggers and attempts come rendered in the agent's language (the
    // server's facts): no outcome, status or postback reaches the screen raw.
    const triggers = (facts.triggers || []).map((tr) => el('div', { class: 'trigger', 'data-testid': 'fact-trigger' },
      el('div', { class: 'trigger-head' },
        el('span', { class: 'chip chip-warn', 'data-testid': 'fact-trigger-kind', text: WL.triggerName(tr.kind, c.topic, tr.label) }),
        tr.evidence ? el('span', { class: 'muted small', text: tr.evidence }) : null),
      tr.message ? el('blockquote', { class: 'quote', text: tr.message }) : null));
    const tried = facts.tried || [];
    // Orders looked up, and the orders refunds are on (with the refund).
    const orders = tried.filter((a) => a.kind === 'order' || (a.kind === 'refund' && a.order)).map((a) => el('div', { class: 'kv', 'data-testid': 'fact-order' },
      el('span', { class: 'mono', text: a.order || '' }), el('span', { text: a.kind === 'refund' ? a.text : (a.order ? (a.outcome || '') : a.text) })));
    const attempts = tried.filter((a) => a.kind !== 'order').map((a) => el('div', { class: 'kv', 'data-testid': 'fact-tried' },
      el('span', { class: 'chip', text: WL.has('inbox_tried_' + a.kind) ? t('inbox_tried_' + a.kind) : t('inbox_tried_other') }),
      el('span', { text: a.text })));
    // The bot's answers before the handoff: not its automatic notices
    // (acknowledgements, reminders), not what it said once the case was
    // open, and not a greeting before the customer said anything (an
    // answer follows a customer message).
    const opened = Date.parse(c.created_at);
    const transcript = c.transcript || [];
    const spoke = transcript.findIndex((x) => x.from === 'customer');
    const botTurns = transcript.filter((x, i) => x.from === 'bot' && !x.notice && spoke >= 0 && i > spoke && !(Date.parse(x.at) > opened));
    const lastBot = botTurns.length ? el('div', { class: 'kv' }, el('span', { class: 'muted small', text: n('inbox_bot_answers_n', botTurns.length) }),
      el('blockquote', { class: 'quote quote-bot', 'data-testid': 'fact-last-answer', text: turnText(botTurns[botTurns.length - 1]) })) : null;
    const earlier = (c.earlier_cases || []).map((x) => el('a', { href: '/inbox/cases/' + encodeURIComponent(x), class: 'mono link', 'data-testid': 'earlier-case', text: x }));
    const repeat = el('div', { class: 'kv', 'data-testid': 'fact-repeat' },
      el('span', { text: n('inbox_repeat_n', Math.max(c.repeat_count || 0, 1)) }),
      earlier.length ? el('span', { class: 'links' }, ...earlier) : null);
    const flags = [];
    for (const p of c.notify || []) flags.push(el('span', { class: 'chip chip-warn', text: WL.has('inbox_notify_' + p) ? t('inbox_notify_' + p) : p }));
    if (c.investigate) flags.push(el('span', { class: 'chip chip-warn', text: t('inbox_investigate') }));
    const sla = el('dl', { class: 'dl' },
      el('dt', { text: t('inbox_created') }), el('dd', { text: WL.fmtTime(WL.parseTime(c.created_at)) }),
      el('dt', { text: t('inbox_first_due') }), el('dd', { text: WL.fmtTime(WL.parseTime(c.first_response_due)) }),
      el('dt', { text: t('inbox_promised') }), el('dd', { 'data-testid': 'fact-promise', text: WL.fmtTime(WL.parseTime(c.promise)) }),
      el('dt', { text: t('inbox_first_at') }), el('dd', { text: WL.fmtTime(WL.parseTime(c.first_response_at)) }),
      el('dt', { text: t('inbox_resolution_due') }), el('dd', { text: WL.fmtTime(WL.parseTime(c.resolution_due)) }));
    $('facts').replaceChildren(...[
      factSection(t('inbox_fact_triggers'), triggers),
      factSection(t('inbox_fact_orders'), orders),
      factSection(t('inbox_fact_bot'), attempts, lastBot),
      factSection(t('inbox_fact_repeat'), repeat),
      flags.length ? factSection(t('inbox_fact_flags'), el('div', { class: 'chips' }, ...flags)) : null,
      factSection(t('inbox_fact_sla'), sla),
    ].filter(Boolean));
  }

  // turnText renders a turn from its fields (kind, event, sticker, media):
  // nothing is parsed back out of text.
  function turnText(x) {
    const kind = x.kind || 'text';
    if (kind === 'event' && x.event) {
      const ev = x.event;
      let id = 'inbox_sys_' + ev.type;
      // A follow-up says why it was created (a low rating, returned
      // before any reply, the customer asked to be contacted).
      if (ev.type === 'follow_up' && ev.reason && WL.has(id + '_' + ev.reason)) id += '_' + ev.reason;
      if (!WL.has(id)) return t('inbox_sys_other');
      return t(id, { name: nameOf(x.agent_id), priority: ev.priority || '', old: ev.old_priority || '', score: ev.score || '' });
    }
    if (kind === 'sticker') {
      // LINE's keywords are English: the common ones in the agent's
      // language, others as LINE gives them, always inside the label.
      const kw = ((x.sticker && x.sticker.keywords) || []).map((k) => {
        const id = 'inbox_sticker_kw_' + String(k).toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_|_$/g, '');
        return WL.has(id) ? t(id) : k;
      }).filter((k, i, all) => all.indexOf(k) === i);
      const said = (x.sticker && x.sticker.text) || kw.slice(0, 3).join(t('inbox_sticker_sep'));
      return said ? t('inbox_turn_sticker_said', { keywords: said }) : t('inbox_turn_sticker');
    }
    if (kind === 'media') {
      const m = x.media || {};
      const label = WL.has('inbox_turn_media_' + m.type) ? t('inbox_turn_media_' + m.type) : t('inbox_turn_media_file');
      const parts = [label];
      if (m.name) parts.push(m.name);
      if (x.text) parts.push(x.text);
      return parts.join(' · ');
    }
    return x.text;
  }

  // renderMedia shows a media turn's file: a thumbnail of a photo that
  // opens the full file, a link for other files, or why it was not kept.
  // Files are served only to signed-in agents who may see the case.
  function renderMedia(x) {
    const m = x.kind === 'media' && x.media;
    if (!m) return null;
    if (!m.id) {
      const id = 'inbox_media_problem_' + (m.problem || 'none');
      return el('div', { class: 'chip chip-small chip-warn', 'data-testid': 'media-problem', text: t(WL.has(id) ? id : 'inbox_media_problem_none') });
    }
    const href = '/api/cases/' + encodeURIComponent(c.id) + '/media/' + encodeURIComponent(m.id);
    const link = el('a', { href, target: '_blank', rel: 'noopener', 'data-testid': 'media-link', title: t('inbox_media_open') });
    if (m.type === 'image') {
      const img = el('img', { src: href, alt: t('inbox_media_open'), loading: 'lazy', 'data-testid': 'media-thumb' });
      Object.assign(img.style, { maxWidth: '220px', maxHeight: '220px', borderRadius: '8px', display: 'block', marginTop: '4px' });
      link.append(img);
    } else {
      link.textContent = t('inbox_media_open');
    }
    return link;
  }

  // The transcript is patched, not rebuilt: each turn keeps its <li>
  // (keyed by message id, else by position: turns are only ever appended)
  // and a node is refilled only when what it shows changed, so live updates
  // neither flicker nor pull a button from under the agent's pointer.
  const turnNodes = new Map(); // key → <li>
  const turnShown = new WeakMap(); // <li> → what it shows
  const turnKey = (x, i) => (x.id ? 'id:' + x.id : 'at:' + i);

  function turnWho(x) {
    if (x.from === 'customer') return c.display_name || t('inbox_no_name');
    if (x.from === 'bot') return t('inbox_from_bot');
    if (x.from === 'agent') return nameOf(x.agent_id);
    if (x.from === 'note') return t('inbox_from_note', { name: nameOf(x.agent_id) });
    return '';
  }

  function fillTurn(li, x, canRetry) {
    const at = WL.parseTime(x.at);
    li.className = 'turn turn-' + x.from + (x.status ? ' turn-' + x.status : '');
    li.setAttribute('data-testid', 'turn');
    Object.assign(li.dataset, { from: x.from, status: x.status || '', id: x.id || '' });
    const meta = x.from === 'system' ? null : el('div', { class: 'turn-meta' },
      el('span', { class: 'turn-who', text: turnWho(x) }), el('time', { text: WL.fmtClock(at), title: WL.fmtTime(at) }));
    const kind = x.kind || 'text';
    li.dataset.kind = kind;
    const bubble = el('div', { class: 'bubble bubble-' + kind, 'data-testid': 'turn-text', text: turnText(x) });
    if (x.cut && meta) meta.append(el('span', { class: 'chip chip-small chip-auto', 'data-testid': 'turn-cut', text: t('inbox_turn_cut', { n: x.cut }) }));
    if (x.comment && meta) meta.append(el('span', { class: 'chip chip-small chip-auto', 'data-testid': 'turn-comment', text: t('inbox_turn_comment') }));
    if (x.notice && meta) meta.append(el('span', { class: 'chip chip-small chip-auto', 'data-testid': 'turn-notice', text: t('inbox_turn_automatic') }));
    const parts = [meta, bubble, renderMedia(x)];
    if (x.options && x.options.length) {
      // The quick replies the bot offered (a menu), as the customer saw them.
      parts.push(el('div', { class: 'turn-options', 'data-testid': 'turn-options', 'aria-label': t('inbox_turn_options') },
        ...x.options.map((o) => el('span', { class: 'chip chip-small', text: o }))));
    }
    if (x.from === 'agent' && x.status) {
      const st = el('div', { class: 'turn-status', 'data-testid': 'turn-status' }, el('span', { text: t('inbox_delivery_' + x.status) }));
      if (canRetry) {
        st.append(el('button', { class: 'btn btn-small btn-danger', 'data-testid': 'retry-button', text: t('inbox_retry'), onclick: (ev) => retry(x.id, ev.currentTarget) }));
      }
      parts.push(st);
    }
    li.replaceChildren(...parts.filter(Boolean));
  }

  function renderTranscript() {
    const list = $('transcript');
    const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
    const keep = new Set();
    let prev = null;
    (c.transcript || []).forEach((x, i) => {
      const key = turnKey(x, i);
      keep.add(key);
      const canRetry = x.from === 'agent' && !!x.status && x.status !== 'sent' && !!may().reply;
      const shown = JSON.stringify([state.lang, x.from, x.kind, x.notice, x.comment, x.cut, x.status, x.text, x.at, x.agent_id, turnWho(x), turnText(x), canRetry, x.options]);
      let li = turnNodes.get(key);
      if (!li) {
        li = document.createElement('li');
        turnNodes.set(key, li);
      }
      if (turnShown.get(li) !== shown) {
        fillTurn(li, x, canRetry);
        turnShown.set(li, shown);
      }
      const at = prev ? prev.nextSibling : list.firstChild;
      if (at !== li) list.insertBefore(li, at);
      prev = li;
    });
    for (const [key, li] of turnNodes) {
      if (!keep.has(key)) { li.remove(); turnNodes.delete(key); }
    }
    if (atBottom || !list.dataset.scrolled) {
      list.scrollTop = list.scrollHeight;
      list.dataset.scrolled = '1';
    }
  }

  function renderCanned() {
    const sel = $('canned-picker');
    const opts = [el('option', { value: '', text: t('inbox_templates_pick') })];
    if (canned) {
      opts.push(el('option', { value: '__full', 'data-testid': 'canned-full', text: t('inbox_templates_full') }));
      for (const s of canned.sections) {
        if (!s.items.length) continue;
        const g = el('optgroup', { label: t('inbox_templates_section_' + s.id) });
        for (const it of s.items) g.append(el('option', { value: it.id, text: it.label || (WL.has(it.id + '_label') ? t(it.id + '_label') : it.id) }));
        opts.push(g);
      }
      $('canned-lang').textContent = t('inbox_templates_in', { lang: WL.langName(canned.lang) });
    }
    sel.replaceChildren(...opts);
    sel.value = '';
  }

  function pickCanned() {
    const sel = $('canned-picker');
    const v = sel.value;
    sel.value = '';
    if (!v || !canned) return;
    let text = canned.full;
    if (v !== '__full') {
      for (const s of canned.sections) for (const it of s.items) if (it.id === v) text = it.text;
    }
    const box = $('composer');
    box.value = box.value.trim() ? box.value.replace(/\s+$/, '') + '\n' + text : text;
    box.focus();
    box.setSelectionRange(box.value.length, box.value.length);
  }

  function renderControls() {
    const open = isOpen();
    const owner = isOwner();
    const p = may();
    const lock = $('composer-lock');
    let lockText = '';
    if (!open) lockText = t('inbox_composer_closed');
    else if (c.owner && !owner) lockText = t('inbox_composer_owned_by', { name: nameOf(c.owner) });
    else if (!c.owner) lockText = t('inbox_composer_claim_first');
    lock.textContent = lockText;
    lock.hidden = !lockText;
    const canSend = !!p.reply;
    $('composer').disabled = !canSend || busy;
    $('composer').placeholder = canSend ? t('inbox_composer_placeholder', { name: c.display_name || t('inbox_no_name') }) : lockText;
    $('send-button').disabled = !canSend || busy;
    $('canned-picker').disabled = !canSend;
    $('composer-card').classList.toggle('locked', !canSend);

    const claimBtn = $('claim-button');
    claimBtn.hidden = !p.claim;
    claimBtn.disabled = busy;
    $('priority-button').disabled = $('priority-select').disabled = !p.set_priority || busy;
    $('resolve-button').disabled = $('resolve-note').disabled = $('resolve-disposition').disabled = !p.resolve || busy;
    $('release-button').disabled = !p.release || busy;
    $('return-button').disabled = !p.return_to_bot || busy;
    $('priority-select').value = c.priority;
    $('escalate-group').hidden = c.tier !== 'L2' || !open;
    $('escalate-button').disabled = !p.escalate || busy;
    $('escalate-reason').disabled = !p.escalate;
    $('note-button').disabled = !p.note || busy;
    const ag = $('assign-group');
    ag.hidden = !p.assign;
    if (p.assign && agents) {
      const sel = $('assign-select');
      const cur = sel.value;
      sel.replaceChildren(...agents.map((a) => el('option', { value: a.id, text: a.name + ' · ' + WL.roleName(a.role) })));
      if (cur) sel.value = cur;
      else if (c.owner) sel.value = c.owner;
      $('assign-button').disabled = busy;
    }
  }

  function render() {
    if (!c) return;
    renderHead();
    renderBrief();
    renderFacts();
    renderTranscript();
    renderControls();
  }

  // ---- actions --------------------------------------------------------
  async function act(fn, okMessage) {
    if (busy) return;
    busy = true;
    clearError();
    renderControls();
    try {
      const j = await fn();
      if (j && j.case) c = j.case;
      if (okMessage) WL.toast(okMessage, 'ok');
      if (c && !may().see) return; // it left this agent's view
      await load();
    } catch (e) {
      showError(e);
      if (e.status === 409) await load();
    } finally {
      busy = false;
      renderControls();
    }
  }

  async function send() {
    const box = $('composer');
    const text = box.value.trim();
    if (!text || busy) return;
    await act(async () => {
      const j = await api('POST', path + '/reply', { text: text });
      box.value = '';
      if (j.turn && j.turn.status === 'failed') WL.toast(() => t('inbox_delivery_failed_hint'), 'error');
      return j;
    });
  }
  async function retry(msgID, btn) {
    btn.disabled = true;
    await act(async () => {
      const j = await api('POST', path + '/replies/' + encodeURIComponent(msgID) + '/retry');
      if (j.turn && j.turn.status === 'failed') WL.toast(() => t('inbox_delivery_failed_hint'), 'error');
      return j;
    });
  }

  $('send-button').addEventListener('click', send);
  $('composer').addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter' && (ev.ctrlKey || ev.metaKey)) { ev.preventDefault(); send(); }
  });
  $('canned-picker').addEventListener('change', pickCanned);
  $('claim-button').addEventListener('click', () => act(() => api('POST', path + '/claim'), () => t('inbox_claimed_ok')));
  $('assign-button').addEventListener('click', () => {
    const to = $('assign-select').value;
    if (to) act(() => api('POST', path + '/assign', { agent_id: to }), () => t('inbox_assigned_ok', { name: nameOf(to) }));
  });
  $('priority-button').addEventListener('click', () => act(() => api('POST', path + '/priority', { priority: $('priority-select').value })));
  $('escalate-button').addEventListener('click', () => {
    const reason = $('escalate-reason').value.trim();
    if (!reason) { showError({ code: 'reason_required' }); $('escalate-reason').focus(); return; }
    act(async () => {
      const j = await api('POST', path + '/escalate', { reason: reason });
      $('escalate-reason').value = '';
      // An L2 agent cannot see L3 cases: back to the queue.
      if (me.role === 'L2') { sessionStorage.setItem('wl.toast', 'inbox_escalated_ok'); location.href = '/inbox/queue'; }
      return j;
    }, me.role === 'L2' ? '' : () => t('inbox_escalated_ok'));
  });
  $('release-button').addEventListener('click', () => act(() => api('POST', path + '/release'), () => t('inbox_released_ok')));
  $('resolve-button').addEventListener('click', () => act(() => api('POST', path + '/resolve',
    { note: $('resolve-note').value.trim(), disposition: $('resolve-disposition').value }), () => t('inbox_resolved_ok')));
  $('return-button').addEventListener('click', () => act(() => api('POST', path + '/return'), () => t('inbox_returned_ok')));
  $('followup-done').addEventListener('click', () => act(async () => {
    const j = await api('POST', path + '/follow-up/done', { note: $('followup-note').value.trim() });
    $('followup-note').value = '';
    return j;
  }, t('inbox_followup_done_ok')));
  $('note-button').addEventListener('click', () => {
    const text = $('note-input').value.trim();
    if (!text) return;
    act(async () => { const j = await api('POST', path + '/notes', { text: text }); $('note-input').value = ''; return j; });
  });

  // The customer's earlier closed cases (from the ledger), when shown.
  async function loadHistory() {
    const list = $('history-list');
    if (!list) return;
    let cases = [];
    try { cases = (await api('GET', path + '/history?lang=' + encodeURIComponent(state.lang))).cases || []; } catch (e) { cases = []; }
    list.replaceChildren(...cases.map((h) => el('li', { 'data-testid': 'history-case', 'data-case': h.case_id },
      el('a', { class: 'mono', href: h.url, text: h.case_id }),
      el('span', { class: 'muted small', text: ' ' + WL.fmtTime(WL.parseTime(h.created_at)) + ' · ' + h.topic_name }),
      el('div', { class: 'small' },
        el('span', { class: 'chip chip-small status-' + h.status, 'data-testid': 'history-status', text: t('inbox_status_' + h.status) }),
        el('span', { class: 'small', 'data-testid': 'history-rating',
          text: ' ' + (h.satisfaction ? t('inbox_history_rating', { score: h.satisfaction }) : t('inbox_history_unrated')) }),
        h.disposition ? el('span', { class: 'chip chip-small', 'data-testid': 'history-disposition', text: WL.has('inbox_disposition_' + h.disposition) ? t('inbox_disposition_' + h.disposition) : h.disposition }) : ''),
      el('div', { class: 'muted small history-request', text: h.request }))));
    $('history-empty').hidden = cases.length !== 0;
  }

  WL.onLang(() => { loadDispositions().then(load); renderCanned(); loadHistory(); });
  await loadDispositions();
  await load();
  await loadCanned();
  await loadHistory();
  setInterval(tickSLA, 1000);
  let pending = null;
  WL.live((type, ev) => {
    if (ev.case_id !== id) return;
    clearTimeout(pending);
    pending = setTimeout(load, 100);
  });
})();
