// The email template editor (templates/pages/console/email_template.html): as an organizer
// types, the three parts are previewed on sample data a moment later, and an error is said
// beside its part, without saving. Without this file the Preview button does the same.
'use strict';

(() => {
  const form = document.querySelector('form[data-preview]');
  if (!form || !window.fetch) return;
  const preview = document.querySelector('.preview');
  let timer = null;
  let asked = 0;

  const say = (name, message) => {
    const field = form.querySelector(`[name=${name}]`);
    const wrap = field.closest('.field');
    let note = wrap.querySelector('p.error');
    if (message) {
      if (!note) {
        note = document.createElement('p');
        note.className = 'error';
        note.id = `${name}-error`;
        wrap.appendChild(note);
      }
      note.textContent = message;
      wrap.classList.add('invalid');
      field.setAttribute('aria-invalid', 'true');
      field.setAttribute('aria-describedby', note.id);
    } else {
      if (note) note.remove();
      wrap.classList.remove('invalid');
      field.removeAttribute('aria-invalid');
    }
  };

  const refresh = async () => {
    const mine = ++asked;
    const body = new URLSearchParams(new FormData(form));
    body.set('do', 'preview');
    let answer;
    try {
      answer = await fetch(form.action, {
        method: 'POST', body, credentials: 'same-origin', headers: { Accept: 'application/json' },
      });
    } catch (_) { return; }
    if (!answer.ok || mine !== asked) return;
    const out = await answer.json();
    const errors = out.errors || {};
    ['subject', 'text', 'html'].forEach((name) => say(name, errors[name]));
    if (!out.errors) {
      preview.querySelector('[data-part=subject]').textContent = out.subject;
      preview.querySelector('[data-part=text]').textContent = out.text;
      preview.querySelector('[data-part=html]').srcdoc = out.html;
    }
  };

  form.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(refresh, 500);
  });
})();
