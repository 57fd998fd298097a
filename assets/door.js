// The door (templates/pages/console/door.html), on a steward's phone. Without this file the
// badge code form posts and the page answers. With it:
// - a code typed or scanned into the field (a handheld scanner types the code and Enter) is
//   checked in one request; the field is emptied and ready again at once, and codes scanned
//   faster than the answers come are checked in turn;
// - the camera, once started, is read for the badge's QR code: by the browser where it has a
//   `BarcodeDetector`, else a small grey picture of the frame is sent to the server, which
//   answers the code it reads. The same badge seen again within a few seconds is not checked
//   twice;
// - the answer fills the band (green in, amber already in today, red refused), with a beep and
//   a vibration where the device allows.
'use strict';

(() => {
  const form = document.querySelector('form.door-check');
  const band = document.getElementById('door-result');
  if (!form || !band || !window.fetch) return;
  const field = form.querySelector('input[name=badge_code]');
  const today = document.getElementById('door-today');
  const queue = [];
  let checking = false;

  const show = (o) => {
    band.className = 'door-result ' + o.kind;
    band.querySelector('.title').textContent = o.title || '';
    band.querySelector('.name bdi').textContent = o.name || '';
    band.querySelector('.org').textContent = o.organization || '';
    let category = band.querySelector('.category');
    if (!category) {
      category = document.createElement('span');
      category.className = 'category';
      band.querySelector('.more').appendChild(category);
    }
    category.textContent = o.category || '';
    category.hidden = !o.category;
    band.querySelector('.detail').textContent = o.detail || '';
    if (today && typeof o.today === 'number') today.textContent = String(o.today);
    signal(o.kind);
  };

  let audio = null;
  const tone = (freq, start, length) => {
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.frequency.value = freq;
    gain.gain.value = 0.15;
    osc.connect(gain).connect(audio.destination);
    osc.start(audio.currentTime + start);
    osc.stop(audio.currentTime + start + length);
  };
  const signal = (kind) => {
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      if (kind === 'in') tone(880, 0, 0.12);
      else if (kind === 'again') { tone(660, 0, 0.1); tone(660, 0.16, 0.1); }
      else tone(220, 0, 0.45);
    } catch (_) { /* no sound here */ }
    if (navigator.vibrate) navigator.vibrate(kind === 'in' ? 80 : kind === 'again' ? [60, 60, 60] : 400);
  };

  const next = async () => {
    if (checking || !queue.length) return;
    checking = true;
    const code = queue.shift();
    const body = new URLSearchParams();
    body.set('csrf', form.querySelector('input[name=csrf]').value);
    body.set('badge_code', code);
    try {
      const answer = await fetch(form.action, {
        method: 'POST', body, credentials: 'same-origin',
        headers: { Accept: 'application/json' },
      });
      if (answer.ok) show(await answer.json());
      else { form.submit(); return; } // signed out, or refused: the page says why
    } catch (_) {
      queue.unshift(code); // the network dropped: try again shortly
      setTimeout(() => { checking = false; next(); }, 1000);
      return;
    }
    checking = false;
    next();
  };

  const check = (code) => {
    code = code.trim();
    if (!code) return;
    queue.push(code);
    next();
  };

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const code = field.value;
    field.value = '';
    field.focus();
    check(code);
  });

  // The camera.
  const camera = document.querySelector('.door-camera');
  if (!camera || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) return;
  camera.hidden = false;
  const toggle = camera.querySelector('.camera-toggle');
  const video = camera.querySelector('video');
  const startLabel = toggle.textContent;
  const canvas = document.createElement('canvas');
  let stream = null;
  let detector = null;
  let timer = null;
  let last = '';
  let lastAt = 0;

  const seen = (code) => {
    if (!code) return;
    const now = Date.now();
    if (code === last && now - lastAt < 4000) return;
    last = code;
    lastAt = now;
    check(code);
  };

  const fromServer = async () => {
    const width = Math.min(480, video.videoWidth);
    const height = Math.round(video.videoHeight * width / video.videoWidth);
    if (!width || !height) return;
    canvas.width = width;
    canvas.height = height;
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    ctx.drawImage(video, 0, 0, width, height);
    const rgba = ctx.getImageData(0, 0, width, height).data;
    const grey = new Uint8Array(width * height);
    for (let i = 0, p = 0; p < grey.length; i += 4, p += 1) {
      grey[p] = (rgba[i] * 77 + rgba[i + 1] * 150 + rgba[i + 2] * 29) >> 8;
    }
    const answer = await fetch(`${camera.dataset.frame}?w=${width}&h=${height}`, {
      method: 'POST', body: grey, credentials: 'same-origin',
      headers: { 'Content-Type': 'application/octet-stream', 'x-csrf': camera.dataset.csrf, Accept: 'application/json' },
    });
    if (answer.ok) seen((await answer.json()).code);
  };

  const look = async () => {
    try {
      if (detector) {
        const codes = await detector.detect(video);
        if (codes.length) seen(codes[0].rawValue);
      } else {
        await fromServer();
      }
    } catch (_) { /* a frame that could not be read: the next one will */ }
    if (stream) timer = setTimeout(look, 350);
  };

  const stop = () => {
    if (stream) stream.getTracks().forEach((t) => t.stop());
    stream = null;
    clearTimeout(timer);
    video.hidden = true;
    toggle.textContent = startLabel;
    field.focus();
  };

  toggle.addEventListener('click', async () => {
    if (stream) { stop(); return; }
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false });
    } catch (_) {
      show({ kind: 'refused', title: camera.dataset.noCamera });
      return;
    }
    video.srcObject = stream;
    video.hidden = false;
    await video.play();
    toggle.textContent = camera.dataset.stop;
    if ('BarcodeDetector' in window) {
      try {
        const formats = await window.BarcodeDetector.getSupportedFormats();
        if (formats.includes('qr_code')) detector = new window.BarcodeDetector({ formats: ['qr_code'] });
      } catch (_) { detector = null; }
    }
    look();
  });
})();
