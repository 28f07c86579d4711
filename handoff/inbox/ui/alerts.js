// warmline inbox: Alerts (leads). Notified parties, P1 cases and SLA
// warnings and breaches, newest first, each with its case. Every text from
// the server is set with textContent.
'use strict';

(async () => {
  if (!(await WL.boot())) return;
  const { t, n, el, api, state } = WL;
  const body = document.getElementById('alerts-body');
  const card = document.getElementById('alerts-card');
  const empty = document.getElementById('alerts-empty');
  const summary = document.getElementById('alerts-summary');
  const forbidden = document.getElementById('alerts-forbidden');
  const kind = document.getElementById('alerts-kind');
  let data = null;

  function row(a) {
    return el('tr', { 'data-testid': 'alert', 'data-kind': a.kind, 'data-case': a.case_id, class: 'alert-' + a.kind },
      el('td', { class: 'waiting', text: WL.fmtTime(WL.parseTime(a.at)) }),
      el('td', {}, el('span', { class: 'chip chip-small chip-alert-' + a.kind, text: t('inbox_alerts_kind_' + a.kind) })),
      el('td', { 'data-testid': 'alert-title', text: a.title }),
      el('td', {}, el('a', { class: 'mono', href: a.url, 'data-testid': 'alert-case', text: a.case_id })));
  }

  function render() {
    if (!data) return;
    const list = (data.alerts || []).filter((a) => !kind.value || a.kind === kind.value);
    body.replaceChildren(...list.map(row));
    card.hidden = list.length === 0;
    empty.hidden = list.length !== 0;
    const breaches = list.filter((a) => a.kind === 'sla_breach').length;
    summary.textContent = list.length ? [n('inbox_alerts_summary_n', list.length), n('inbox_alerts_breaches_n', breaches)].join(' · ') : '';
  }

  async function refresh() {
    try {
      data = await api('GET', '/api/alerts?lang=' + encodeURIComponent(state.lang));
      forbidden.hidden = true;
      render();
    } catch (e) {
      if (e.status === 403) {
        forbidden.textContent = t('inbox_alerts_leads_only');
        forbidden.hidden = false;
        return;
      }
      WL.toast(() => WL.errorText(e), 'error');
    }
  }

  let pending = null;
  kind.addEventListener('change', render);
  WL.onLang(() => refresh()); // the texts come rendered in the new language
  WL.live(() => { clearTimeout(pending); pending = setTimeout(refresh, 500); });
  await refresh();
  document.body.dataset.ready = '1';
})();
