// warmline inbox: sign-in page.
'use strict';

(async () => {
  const { t, el, loadDict, langSelect } = WL;
  // The server set <html lang> from the request; a choice made on this
  // browser before wins.
  let lang = document.documentElement.lang;
  try { lang = localStorage.getItem('wl.lang') || lang; } catch (e) { /* private mode */ }
  if (!WL.LANGS.includes(lang)) lang = /^zh-(cn|sg|hans)/i.test(lang) ? 'zh-CN' : /^en/i.test(lang) ? 'en' : 'zh-TW';
  await loadDict(lang);
  const sel = document.getElementById('lang-select');
  // A language picked here wins for the session and becomes the agent's
  // preference, over the one on their account.
  let chosen = '';
  const pick = async (l) => {
    chosen = l;
    try { localStorage.setItem('wl.lang', l); } catch (e) { /* private mode */ }
    await loadDict(l);
    langSelect(sel, pick);
  };
  langSelect(sel, pick);
  document.body.classList.remove('booting');

  const form = document.getElementById('login-form');
  const errBox = document.getElementById('login-error');
  const submit = document.getElementById('login-submit');
  document.getElementById('login-id').focus();

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    errBox.hidden = true;
    submit.disabled = true;
    const id = document.getElementById('login-id').value.trim();
    const password = document.getElementById('login-password').value;
    try {
      const r = await fetch('/inbox/login', {
        method: 'POST', credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify(chosen ? { id: id, password: password, lang: chosen } : { id: id, password: password }),
      });
      const j = await r.json().catch(() => ({}));
      if (r.ok) {
        const next = new URLSearchParams(location.search).get('next') || '';
        location.href = next.startsWith('/inbox/') && !next.startsWith('//') ? next : '/inbox/queue';
        return;
      }
      let msg = t('inbox_login_failed');
      if (j.error === 'locked') {
        const until = WL.parseTime(j.until);
        msg = t('inbox_login_locked', { time: until ? WL.fmtClock(until) : '' });
      } else if (j.error && j.error !== 'bad_credentials' && j.error !== 'bad_request') {
        msg = WL.errorText(j);
      }
      errBox.replaceChildren(el('span', { text: msg }));
      errBox.hidden = false;
      document.getElementById('login-password').select();
    } catch (e) {
      errBox.textContent = t('inbox_err_network');
      errBox.hidden = false;
    } finally {
      submit.disabled = false;
    }
  });
})();
