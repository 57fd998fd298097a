// The programme editor's drag and drop (templates/pages/console/schedule.html). Without this
// file every session is still placed, moved and taken off the grid through its own form; with
// it, a card is dragged onto a slot (or back to the tray) and resized by its lower edge. Each
// move posts the same form fields to the session's `place` URL and asks for JSON: saved, the
// page reloads where it was; refused, the reason is shown where the card was dropped and
// nothing changes.
'use strict';

(() => {
  const editor = document.querySelector('.editor');
  if (!editor) return;
  const grid = editor.querySelector('.grid');
  const wrap = editor.querySelector('.grid-wrap');
  const tray = editor.querySelector('.tray');
  const step = Number(editor.dataset.step) || 5;
  const SCROLL_KEY = 'salon-editor-scroll';
  let dragged = null;
  let grabRows = 0;

  // Back where the organizer was after the reload that follows a move.
  try {
    const saved = JSON.parse(sessionStorage.getItem(SCROLL_KEY) || 'null');
    sessionStorage.removeItem(SCROLL_KEY);
    if (saved && saved.page === location.pathname + location.search) {
      window.scrollTo(saved.x, saved.y);
      if (wrap) { wrap.scrollLeft = saved.gx; wrap.scrollTop = saved.gy; }
    }
  } catch (_) { /* storage refused: start at the top */ }

  const rememberScroll = () => {
    try {
      sessionStorage.setItem(SCROLL_KEY, JSON.stringify({
        page: location.pathname + location.search, x: window.scrollX, y: window.scrollY,
        gx: wrap ? wrap.scrollLeft : 0, gy: wrap ? wrap.scrollTop : 0,
      }));
    } catch (_) { /* nothing to restore then */ }
  };

  const slotHeight = () => {
    const slot = grid && grid.querySelector('.slot');
    return slot ? slot.getBoundingClientRect().height : 14;
  };

  // `2027-02-22T09:00` plus minutes, on the wall clock.
  const addMinutes = (local, minutes) => {
    const d = new Date(local + ':00Z');
    d.setUTCMinutes(d.getUTCMinutes() + minutes);
    return d.toISOString().slice(0, 16);
  };

  const slotUnder = (x, y) => document.elementsFromPoint(x, y).find((el) => el.classList.contains('slot'));

  const clearMarks = () => {
    editor.querySelectorAll('.slot.over, .slot.refused').forEach((s) => s.classList.remove('over', 'refused'));
    if (tray) tray.classList.remove('over');
  };

  const dismiss = () => editor.querySelectorAll('.refusal').forEach((r) => r.remove());

  // The reason a move was refused, shown at `anchor` (a slot, or the tray).
  const refuse = (anchor, answer) => {
    dismiss();
    const box = document.createElement('div');
    box.className = 'refusal';
    box.setAttribute('role', 'alert');
    const head = document.createElement('strong');
    head.textContent = answer.message || editor.dataset.refused;
    box.append(head);
    if (answer.details && answer.details.length) {
      const list = document.createElement('ul');
      for (const detail of answer.details) {
        const item = document.createElement('li');
        item.textContent = detail;
        list.append(item);
      }
      box.append(list);
    }
    const close = document.createElement('button');
    close.type = 'button';
    close.textContent = editor.dataset.close;
    close.addEventListener('click', () => { box.remove(); clearMarks(); });
    box.append(document.createElement('br'), close);
    if (anchor && anchor.classList.contains('slot') && grid) {
      anchor.classList.add('refused');
      box.style.top = `${anchor.offsetTop}px`;
      box.style.left = `${anchor.offsetLeft}px`;
      grid.append(box);
    } else {
      (tray || editor).prepend(box);
    }
    close.focus({ preventScroll: true });
  };

  const place = async (card, fields, anchor) => {
    const body = new URLSearchParams({ csrf: card.dataset.csrf, version: card.dataset.version, ...fields });
    card.classList.add('saving');
    let res = null;
    let answer = {};
    try {
      res = await fetch(card.dataset.place, {
        method: 'POST', body, credentials: 'same-origin', headers: { Accept: 'application/json' },
      });
      answer = await res.json();
    } catch (_) {
      answer = { message: editor.dataset.refused, details: [] };
    }
    card.classList.remove('saving');
    if (res && res.ok && answer.saved) {
      rememberScroll();
      location.reload();
    } else {
      refuse(anchor, answer);
    }
  };

  editor.addEventListener('dragstart', (e) => {
    const card = e.target.closest && e.target.closest('.session-card[draggable="true"]');
    if (!card) return;
    dismiss();
    dragged = card;
    const top = card.getBoundingClientRect().top;
    grabRows = card.dataset.startsAt ? Math.max(0, Math.floor((e.clientY - top) / slotHeight())) : 0;
    card.classList.add('dragging');
    e.dataTransfer.effectAllowed = 'move';
    e.dataTransfer.setData('text/plain', card.dataset.sessionId);
  });

  editor.addEventListener('dragend', () => {
    if (dragged) dragged.classList.remove('dragging');
    dragged = null;
    editor.querySelectorAll('.slot.over').forEach((s) => s.classList.remove('over'));
    if (tray) tray.classList.remove('over');
  });

  // The slot a drop at this point means: the one under the pointer, less where the card was
  // grabbed, so that the card lands where it is seen.
  const target = (e) => {
    const under = slotUnder(e.clientX, e.clientY);
    if (!under || !grabRows) return under;
    const local = addMinutes(under.dataset.local, -grabRows * step);
    return grid.querySelector(`.slot[data-room-id="${under.dataset.roomId}"][data-local="${local}"]`) || under;
  };

  editor.addEventListener('dragover', (e) => {
    if (!dragged) return;
    // Scroll while dragging near an edge of the grid.
    if (wrap) {
      const r = wrap.getBoundingClientRect();
      const edge = 40;
      if (e.clientY < r.top + edge) wrap.scrollTop -= 20;
      else if (e.clientY > r.bottom - edge) wrap.scrollTop += 20;
      if (e.clientX < r.left + edge) wrap.scrollLeft -= 20;
      else if (e.clientX > r.right - edge) wrap.scrollLeft += 20;
    }
    const overTray = tray && tray.contains(e.target);
    const slot = overTray ? null : target(e);
    if (!slot && !overTray) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = 'move';
    editor.querySelectorAll('.slot.over').forEach((s) => { if (s !== slot) s.classList.remove('over'); });
    if (slot) slot.classList.add('over');
    if (tray) tray.classList.toggle('over', Boolean(overTray));
  });

  editor.addEventListener('drop', (e) => {
    if (!dragged) return;
    e.preventDefault();
    const card = dragged;
    clearMarks();
    if (tray && tray.contains(e.target)) {
      if (card.dataset.startsAt) place(card, { room_id: '', starts_at: '', ends_at: '' }, tray);
      return;
    }
    const slot = target(e);
    if (!slot) return;
    const minutes = Number(card.dataset.minutes) || 60;
    const start = slot.dataset.local;
    place(card, { room_id: slot.dataset.roomId, starts_at: start, ends_at: addMinutes(start, minutes) }, slot);
  });

  // Resizing by the card's lower edge, in whole steps.
  editor.addEventListener('pointerdown', (e) => {
    const handle = e.target.closest && e.target.closest('.resize');
    if (!handle) return;
    const card = handle.closest('.session-card');
    e.preventDefault();
    card.draggable = false;
    handle.setPointerCapture(e.pointerId);
    const startY = e.clientY;
    const rows = Math.round((Number(card.dataset.minutes) || step) / step);
    const height = slotHeight();
    const row = card.style.gridRow.split('/')[0].trim();
    let span = rows;
    const move = (ev) => {
      span = Math.max(1, rows + Math.round((ev.clientY - startY) / height));
      card.style.gridRow = `${row} / span ${span}`;
    };
    const up = () => {
      handle.removeEventListener('pointermove', move);
      handle.removeEventListener('pointerup', up);
      card.draggable = true;
      if (span === rows) return;
      const start = card.dataset.local;
      const slot = grid.querySelector(`.slot[data-room-id="${card.dataset.roomId}"][data-local="${addMinutes(start, (span - 1) * step)}"]`);
      place(card, { room_id: card.dataset.roomId, starts_at: start, ends_at: addMinutes(start, span * step) }, slot);
    };
    handle.addEventListener('pointermove', move);
    handle.addEventListener('pointerup', up);
  });
})();
