// The API page's list of routes, read from the OpenAPI document (templates/pages/api_docs.html).
fetch('/api/v1/openapi.json').then(r => r.json()).then(doc => {
  const root = document.getElementById('ops');
  root.textContent = '';
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      const div = document.createElement('div');
      div.className = 'op';
      const m = document.createElement('span'); m.className = 'm'; m.textContent = method;
      const p = document.createElement('code'); p.textContent = path;
      div.append(m, p, document.createTextNode(' ' + (op.summary || op.description || '')));
      root.append(div);
    }
  }
});
