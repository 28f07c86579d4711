// warmline inbox: Knowledge gaps (leads). Questions the bot could not
// settle, grouped; add them to an entry, start a new entry, or dismiss.
// Customer text is only ever set with textContent.
'use strict';

(async () => {
  if (!(await WL.boot())) return;
  const { t, n, el, api, state } = WL;
  const list = document.getElementById('gap-list');
  const empty = document.getElementById('gaps-empty');
  const summary = document.getElementById('gaps-summary');
  const learned = document.getElementById('learned-list');
  const learnedEmpty = document.getElementById('learned-empty');
  const kbError = document.getElementById('kb-error');
  const kbErrorText = document.getElementById('kb-error-text');
  const forbidden = document.getElementById('gaps-forbidden');
  const CATEGORIES = ['consultation', 'complaint', 'fault', 'suggestion'];
  let data = null;

  function title(entries, id) {
    const e = entries.find((x) => x.id === id);
    if (!e) return id;
    return (e.title && (e.title[state.lang] || e.title.en)) || id;
  }

  function entryCounts(entries, counts) {
    return counts.map((c) => title(entries, c.entry) + ' (' + c.count + ')').join(' · ');
  }

  async function act(btn, method, path, body, done) {
    btn.disabled = true;
    try {
      const r = await api(method, path, body);
      WL.toast(() => done(r), 'ok');
      await refresh();
    } catch (e) {
      const detail = e.code === 'bad_request' && e.body && e.body.message ? ' ' + e.body.message : '';
      WL.toast(() => WL.errorText(e) + detail, 'error');
      btn.disabled = false;
    }
  }

  function newEntryForm(g, checked) {
    const box = el('div', { class: 'gap-new', 'data-testid': 'gap-new-form' });
    const id = el('input', { 'data-testid': 'new-id', placeholder: 'gift-cards', 'aria-label': t('inbox_gaps_new_id') });
    const cat = el('select', { 'data-testid': 'new-category' },
      CATEGORIES.map((c) => el('option', { value: c, text: t('inbox_gaps_category_' + c) })));
    box.append(
      el('label', { class: 'wide' }, el('span', { text: t('inbox_gaps_new_id') }), id),
      el('label', { class: 'wide' }, el('span', { text: t('inbox_gaps_new_category') }), cat));
    const titles = {}; const answers = {};
    for (const l of WL.LANGS) {
      titles[l] = el('input', { 'data-testid': 'new-title-' + l, maxlength: 20 });
      box.append(el('label', {}, el('span', { text: t('inbox_gaps_new_title') + ' · ' + WL.langName(l) }), titles[l]));
    }
    for (const l of WL.LANGS) {
      answers[l] = el('textarea', { 'data-testid': 'new-answer-' + l, rows: 4 });
      box.append(el('label', {}, el('span', { text: t('inbox_gaps_new_answer') + ' · ' + WL.langName(l) }), answers[l]));
    }
    const save = el('button', { class: 'btn btn-primary', 'data-testid': 'new-save', text: t('inbox_gaps_new_save') });
    const cancel = el('button', { class: 'btn btn-quiet', text: t('inbox_gaps_cancel'), onclick: () => box.remove() });
    save.addEventListener('click', () => {
      const pick = (m) => Object.fromEntries(WL.LANGS.map((l) => [l, m[l].value.trim()]));
      act(save, 'POST', '/api/gaps/entries', {
        id: id.value.trim(), category: cat.value, title: pick(titles), answer: pick(answers),
        questions: checked(), signals: g.signals,
      }, (r) => t('inbox_gaps_created', { entry: r.item.entry }));
    });
    box.append(el('div', { class: 'gap-actions wide' }, save, cancel));
    return box;
  }

  function card(g, entries) {
    const boxes = [];
    const qs = el('ul', { class: 'gap-questions', 'data-testid': 'gap-questions' });
    for (const q of g.questions) {
      const cb = el('input', { type: 'checkbox', checked: true });
      boxes.push({ cb, q });
      qs.append(el('li', {}, el('label', {}, cb, el('span', { class: 'chip chip-small', text: WL.langName(q.lang) }),
        el('span', { class: 'gap-q', text: q.text }), q.count > 1 ? el('span', { class: 'muted small', text: '×' + q.count }) : null)));
    }
    const checked = () => boxes.filter((b) => b.cb.checked).map((b) => ({ text: b.q.text, lang: b.q.lang }));

    const meta = el('div', { class: 'gap-meta' }, el('span', { class: 'chip', text: n('inbox_gaps_asked_n', g.count) }));
    for (const [lang, c] of Object.entries(g.langs || {})) meta.append(el('span', { class: 'chip chip-small', text: WL.langName(lang) + ' ' + c }));
    for (const [kind, c] of Object.entries(g.kinds || {})) meta.append(el('span', { class: 'chip chip-small chip-tier', text: t('inbox_gaps_kind_' + kind) + ' ' + c }));

    const facts = el('dl', { class: 'gap-facts' });
    if (g.picked && g.picked.length) facts.append(el('dt', { text: t('inbox_gaps_picked') }), el('dd', { 'data-testid': 'gap-picked', text: entryCounts(entries, g.picked) }));
    if (g.rejected && g.rejected.length) facts.append(el('dt', { text: t('inbox_gaps_rejected') }), el('dd', { text: entryCounts(entries, g.rejected) }));

    const select = el('select', { 'data-testid': 'gap-entry', 'aria-label': t('inbox_gaps_add_to') },
      el('option', { value: '', text: t('inbox_gaps_choose_entry') }),
      entries.map((e) => el('option', { value: e.id, text: e.id === g.suggested ? t('inbox_gaps_suggested', { title: title(entries, e.id) }) : title(entries, e.id) + ' · ' + e.id })));
    select.value = g.suggested || '';
    const add = el('button', { class: 'btn btn-primary', 'data-testid': 'gap-add', text: t('inbox_gaps_add') });
    add.addEventListener('click', () => {
      const questions = checked();
      if (!select.value || questions.length === 0) { WL.toast(() => t(select.value ? 'inbox_gaps_none_checked' : 'inbox_gaps_choose_entry'), 'error'); return; }
      act(add, 'POST', '/api/gaps/examples', { entry: select.value, questions: questions, signals: g.signals },
        () => t('inbox_gaps_added', { entry: title(entries, select.value) }));
    });
    const c = el('article', { class: 'card gap-card', 'data-testid': 'gap', 'data-group': g.id });
    const startNew = el('button', { class: 'btn', 'data-testid': 'gap-new', text: t('inbox_gaps_new') });
    startNew.addEventListener('click', () => { if (!c.querySelector('.gap-new')) c.append(newEntryForm(g, checked)); });
    const dismiss = el('button', { class: 'btn btn-quiet', 'data-testid': 'gap-dismiss', text: t('inbox_gaps_dismiss') });
    dismiss.addEventListener('click', () => act(dismiss, 'POST', '/api/gaps/dismiss', { signals: g.signals }, () => t('inbox_gaps_dismissed')));

    c.append(el('h3', { class: 'gap-title', text: g.questions[0] ? g.questions[0].text : '' }), meta,
      el('h2', { text: t('inbox_gaps_questions') }), qs, facts,
      el('div', { class: 'gap-actions' }, el('span', { class: 'muted', text: t('inbox_gaps_add_to') }), select, add, startNew, dismiss));
    return c;
  }

  function learnedItem(it, entries) {
    const who = it.by === 'auto' ? n('inbox_gaps_learned_auto_n', it.customers || 0)
      : t('inbox_gaps_learned_by', { who: it.by_name || it.by, when: WL.fmtTime(WL.parseTime(it.at)) });
    const ex = el('ul', { class: 'learned-examples' });
    for (const l of WL.LANGS) for (const q of (it.examples && it.examples[l]) || []) ex.append(el('li', { text: q }));
    const remove = el('button', { class: 'btn btn-small btn-danger', 'data-testid': 'learned-remove', text: t('inbox_gaps_remove') });
    remove.addEventListener('click', () => act(remove, 'DELETE', '/api/gaps/learned/' + encodeURIComponent(it.id), undefined, () => t('inbox_gaps_removed')));
    return el('li', { 'data-testid': 'learned-item' },
      el('div', { class: 'learned-head' }, el('strong', { text: title(entries, it.entry) }),
        it.new ? el('span', { class: 'chip chip-small chip-role', text: t('inbox_gaps_learned_new') }) : null, remove),
      ex, el('div', { class: 'muted small', text: who }));
  }

  function render() {
    if (!data) return;
    const entries = data.entries || [];
    const groups = data.groups || [];
    list.replaceChildren(...groups.map((g) => card(g, entries)));
    empty.hidden = groups.length > 0;
    summary.textContent = n('inbox_gaps_open_n', groups.length) + ' · ' +
      (data.auto_accept > 0 ? n('inbox_gaps_auto_on_n', data.auto_accept) : t('inbox_gaps_auto_off'));
    const items = (data.items || []).slice().reverse();
    learned.replaceChildren(...items.map((it) => learnedItem(it, entries)));
    learnedEmpty.hidden = items.length > 0;
    kbError.hidden = !(data.kb && data.kb.error);
    kbErrorText.textContent = (data.kb && data.kb.error) || '';
  }

  async function refresh() {
    try {
      data = await api('GET', '/api/gaps');
      forbidden.hidden = true;
      render();
    } catch (e) {
      if (e.status === 403) {
        forbidden.textContent = t('inbox_gaps_leads_only');
        forbidden.hidden = false;
        return;
      }
      WL.toast(() => WL.errorText(e), 'error');
    }
  }

  WL.onLang(() => render());
  WL.live(() => {}); // the connection indicator; the page refreshes after each action
  await refresh();
  document.body.dataset.ready = '1';
})();
