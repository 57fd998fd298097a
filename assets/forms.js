// Small improvements to the plain forms of every page, public and console (each works without
// this file): a button marked data-confirm asks before its form is sent, and a form sent once
// is not sent twice by an impatient second click.
'use strict';

document.addEventListener('submit', (event) => {
  const form = event.target;
  const button = event.submitter;
  const question = button && button.dataset.confirm;
  if (question && !window.confirm(question)) {
    event.preventDefault();
    return;
  }
  if (form.dataset.sent === 'yes') {
    event.preventDefault();
    return;
  }
  form.dataset.sent = 'yes';
  // A page restored from the back/forward cache may be sent again.
  window.addEventListener('pageshow', () => { delete form.dataset.sent; }, { once: true });
});
