// warmline inbox: closed-case search (leads), over the case ledger. The
// query lives in the address (?case=&customer=&from=&to=&topic=&q=), so a
// search can be bookmarked and shared. Every text from the server is set
// with textContent.
'use strict';

(async () => {
  if (!(await WL.boot())) return;
  const { t, n, el, api, state } = WL;
  const $ = (x) => document.getElementById(x);
  const form = $('search-form');
  const fields = ['case', 'customer', 'from', 'to', 'topic', 'q'];
  let data = null;

  function outcome(r) {
    const parts = [el('span', { class: 'chip chip-small status-' + r.status, text: t('inbox_status_' + r.status) })];
    if (r.disposition) parts.push(el('span', { class: 'chip chip-small', 'data-testid': 'result-disposition',
      text: WL.has('inbox_disposition_' + r.disposition) ? t('inbox_disposition_' + r.disposition) : r.disposition }));
    parts.push(el('div', { class: 'muted small', text: r.satisfaction ? t('inbox_history_rating', { score: r.satisfaction }) : t('inbox_history_unrated') }));
    return parts;
  }

  function row(r) {
    const who = el('a', { href: '#', class: 'mono small', 'data-testid': 'result-customer', title: r.customer_line, text: r.customer.slice(0, 10) });
    who.addEventListener('click', (ev) => {
      ev.preventDefault();
      fields.forEach((f) => { $('s-' + f).value = ''; });
      $('s-customer').value = r.customer;
      go();
    });
    return el('tr', { 'data-testid': 'result', 'data-case': r.case_id },
      el('td', {}, el('a', { class: 'mono', href: r.url, 'data-testid': 'result-case', text: r.case_id }),
        el('div', { class: 'muted small', text: r.priority + ' · ' + r.tier })),
      el('td', { class: 'waiting', text: WL.fmtTime(WL.parseTime(r.created_at)) }),
      el('td', { text: r.topic_name || '—' }),
      el('td', { class: 'search-request', text: r.request }),
      el('td', {}, ...outcome(r)),
      el('td', { 'data-testid': 'result-owner', class: r.owner_name ? '' : 'muted', text: r.owner_name || t('inbox_search_owner_none') }),
      el('td', { class: 'waiting', 'data-testid': 'result-closed', text: WL.fmtTime(WL.parseTime(r.closed_at)) }),
      el('td', {}, who));
  }

  function render() {
    if (!data) return;
    const list = data.cases || [];
    $('search-body').replaceChildren(...list.map(row));
    $('search-card').hidden = list.length === 0;
    $('search-empty').hidden = list.length !== 0;
    $('search-summary').textContent = n('inbox_search_found_n', list.length);
  }

  // The export link: the dates chosen, else the last 30 days.
  function exportLink() {
    const day = (d) => new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 10);
    const now = new Date();
    const from = $('s-from').value || day(new Date(now.getTime() - 29 * 86400000));
    const to = $('s-to').value || day(now);
    // The sheet in the lead's language (column and code names).
    $('export-csv').href = '/api/ledger/export?' + new URLSearchParams({ from: from, to: to, format: 'csv', lang: state.lang }).toString();
  }
  state.langHooks.push(exportLink);
  ['s-from', 's-to'].forEach((f) => $(f).addEventListener('change', exportLink));

  async function go() {
    exportLink();
    const q = new URLSearchParams();
    fields.forEach((f) => { const v = $('s-' + f).value.trim(); if (v) q.set(f, v); });
    history.replaceState(null, '', '/inbox/search' + (q.toString() ? '?' + q.toString() : ''));
    q.set('lang', state.lang);
    try {
      data = await api('GET', '/api/search?' + q.toString());
      $('search-forbidden').hidden = true;
      render();
    } catch (e) {
      if (e.status === 403) {
        $('search-forbidden').textContent = t('inbox_search_leads_only');
        $('search-forbidden').hidden = false;
        return;
      }
      WL.toast(() => WL.errorText(e), 'error');
    }
  }

  const start = new URLSearchParams(location.search);
  fields.forEach((f) => { if (start.get(f)) $('s-' + f).value = start.get(f); });
  form.addEventListener('submit', (ev) => { ev.preventDefault(); go(); });
  WL.onLang(() => go());
  await go();
  document.body.dataset.ready = '1';
})();
