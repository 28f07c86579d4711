// warmline inbox: Failed sends (leads). Sends LINE refused for good and
// dead-lettered customer messages, newest first, with a Resend. Every text
// from the server is set with textContent.
'use strict';

(async () => {
  if (!(await WL.boot())) return;
  const { t, n, el, api } = WL;
  const body = document.getElementById('failures-body');
  const card = document.getElementById('failures-card');
  const empty = document.getElementById('failures-empty');
  const summary = document.getElementById('failures-summary');
  const forbidden = document.getElementById('failures-forbidden');
  let data = null;

  function resentText(f) {
    return t('inbox_failures_resent', { who: f.resent_by, when: WL.fmtTime(WL.parseTime(f.resent_at)) });
  }

  // eventName names a dead letter's LINE event ("message (text)",
  // "postback") in the page's language; the raw type stays in the title.
  function eventName(op) {
    const m = /^(\w+)(?: \((\w+)\))?$/.exec(op || '');
    const id = m ? 'inbox_failures_event_' + (m[1] === 'message' && m[2] ? m[2] : m[1]) : '';
    return WL.has(id) ? t(id) : t('inbox_failures_event_other');
  }

  // reason says in words why a send or a customer message failed; LINE's
  // (or the bot's) own error text is under the details.
  function reason(f) {
    if (f.kind !== 'send') return t('inbox_failures_reason_event');
    if (f.status === 400) return t('inbox_failures_reason_send_400');
    if (f.status === 401 || f.status === 403) return t('inbox_failures_reason_send_auth');
    if (f.status === 429) return t('inbox_failures_reason_send_429');
    return t('inbox_failures_reason_send_other');
  }

  function what(f) {
    if (f.kind !== 'send') return el('span', { 'data-testid': 'failure-event', title: f.op, text: eventName(f.op) });
    const op = WL.has('inbox_failures_op_' + f.op) ? t('inbox_failures_op_' + f.op) : f.op;
    return el('div', {}, el('div', { class: 'muted small', text: n('inbox_failures_messages', f.messages || 0, { op: op }) }),
      el('div', { text: f.preview || '' }));
  }

  function row(f) {
    const detail = [];
    if (f.status) detail.push(t('inbox_failures_status', { status: f.status }));
    if (f.attempts) detail.push(n('inbox_failures_attempts', f.attempts));
    const action = el('td', { class: 'failure-action' });
    const btn = el('button', { class: 'btn btn-small', 'data-testid': 'failure-resend', text: t('inbox_failures_resend') });
    btn.addEventListener('click', async () => {
      btn.disabled = true;
      try {
        const r = await api('POST', '/api/failures/' + encodeURIComponent(f.id) + '/resend');
        f.resent_at = r.resent_at; f.resent_by = r.resent_by;
        WL.toast(() => t('inbox_failures_resend_done'), 'ok');
        render();
      } catch (e) {
        WL.toast(() => WL.errorText(e), 'error');
        btn.disabled = false;
      }
    });
    action.append(btn);
    if (f.resent_at) action.append(el('div', { class: 'muted small', 'data-testid': 'failure-resent', text: resentText(f) }));
    return el('tr', { 'data-testid': 'failure', 'data-kind': f.kind },
      el('td', { class: 'waiting', text: WL.fmtTime(WL.parseTime(f.at)) }),
      el('td', {}, el('span', { class: 'chip chip-small chip-' + f.kind, text: t('inbox_failures_kind_' + f.kind) })),
      el('td', { class: 'mono', 'data-testid': 'failure-user', text: f.user }),
      el('td', { class: 'failure-what' }, what(f)),
      el('td', { class: 'failure-error' }, el('div', { 'data-testid': 'failure-reason', text: reason(f) }),
        detail.length ? el('div', { class: 'muted small', text: detail.join(' · ') }) : '',
        f.error ? el('details', { class: 'small' }, el('summary', { class: 'muted', text: t('inbox_failures_details') }),
          el('div', { class: 'mono', 'data-testid': 'failure-error', text: f.error })) : ''),
      action);
  }

  function render() {
    if (!data) return;
    const list = data.failures || [];
    body.replaceChildren(...list.map(row));
    card.hidden = list.length === 0;
    empty.hidden = list.length !== 0;
    summary.textContent = list.length ? n('inbox_failures_summary', list.length) : '';
  }

  async function refresh() {
    try {
      data = await api('GET', '/api/failures');
      forbidden.hidden = true;
      render();
    } catch (e) {
      if (e.status === 403) {
        forbidden.textContent = t('inbox_failures_leads_only');
        forbidden.hidden = false;
        return;
      }
      WL.toast(() => WL.errorText(e), 'error');
    }
  }

  WL.onLang(() => render());
  WL.live(() => {}); // the connection indicator
  await refresh();
  document.body.dataset.ready = '1';
})();
