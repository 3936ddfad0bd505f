// The report page's script: the job table and the product sections, drawn from #data.
const DATA = JSON.parse(document.getElementById('data').textContent);
const PAGE = DATA.page_size;
const esc = s => String(s ?? '').replace(/[&<>"']/g, c => ({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;',"'":'&#39;'}[c]));
const colour = v => v == null ? '#ddd' : `hsl(${Math.max(0, Math.min(100, v)) * 1.2},70%,80%)`;
let sortKey = 'job_id', sortDir = 1, page = 0, rows = DATA.jobs;
const COLS = ['job_id', 'product_id', 'algo', 'status', 'vfscore_overall', ...DATA.dimensions];
function value(j, k) {
  if (DATA.dimensions.includes(k)) return j.record ? (j.record.vf_subscores_median || {})[k] : null;
  return j[k];
}
function filtered() {
  const q = document.getElementById('filter').value.toLowerCase();
  const st = document.getElementById('status').value;
  return DATA.jobs.filter(j => (!st || j.status === st) &&
    (!q || [j.job_id, j.product_id, j.algo, j.error].some(v => String(v ?? '').toLowerCase().includes(q))));
}
function drawJobs() {
  rows = filtered().sort((a, b) => {
    const x = value(a, sortKey), y = value(b, sortKey);
    if (x == null && y == null) return 0; if (x == null) return 1; if (y == null) return -1;
    return (x < y ? -1 : x > y ? 1 : 0) * sortDir;
  });
  const pages = Math.max(1, Math.ceil(rows.length / PAGE));
  page = Math.min(page, pages - 1);
  const body = rows.slice(page * PAGE, (page + 1) * PAGE).map(j => '<tr>' + COLS.map(k => {
    const v = value(j, k);
    if (k === 'status') return `<td><span class="pill ${esc(v)}">${esc(v)}</span></td>`;
    if (k === 'job_id') return `<td><a href="#p-${esc(j.product_id)}" data-product="${esc(j.product_id)}">${esc(v)}</a></td>`;
    const num = typeof v === 'number';
    return `<td style="${num ? 'background:' + colour(v) : ''}">${esc(num ? v.toFixed(0) : v)}</td>`;
  }).join('') + '</tr>').join('');
  document.querySelector('#jobs tbody').innerHTML = body;
  document.getElementById('pageinfo').textContent = `${rows.length} job(s), page ${page + 1} of ${pages}`;
}
function drawProducts() {
  const groups = {};
  DATA.jobs.forEach(j => (groups[j.product_id ?? ''] ||= []).push(j));
  const names = Object.keys(groups).sort();
  document.getElementById('products').innerHTML = names.map(p => {
    const js = groups[p];
    const photos = (js[0].paths.photos || []).map(ph =>
      `<a href="${esc(DATA.root + ph.image)}"><img class="t" loading="lazy" alt="photo" src="${esc(DATA.root + (ph.thumb || ph.image))}"></a>`).join('');
    return `<details class="product" id="p-${esc(p)}"><summary><b>${esc(p || '(no product)')}</b> — ${js.length} candidate(s)</summary>
      <div class="photos">${photos}</div><div class="cands" data-product="${esc(p)}"></div></details>`;
  }).join('');
  document.querySelectorAll('details.product').forEach(d => d.addEventListener('toggle', () => {
    const box = d.querySelector('.cands');
    if (!d.open || box.dataset.drawn) return;
    box.dataset.drawn = '1';
    box.innerHTML = groups[box.dataset.product].map(j => {
      const views = (j.paths.views || []).map(v =>
        `<a href="${esc(DATA.root + v.image)}"><img class="t" loading="lazy" alt="view" src="${esc(DATA.root + v.thumb)}"></a>`).join('');
      const r = j.record || {};
      const subs = Object.entries(r.vf_subscores_median || {}).map(([k, v]) =>
        `<span class="pill" style="background:${colour(v)}">${esc(k)} ${esc(v)}</span>`).join('');
      const hist = (j.paths.history || []).map(h => `<a href="${esc(DATA.root + h)}">${esc(h.split('/').pop())}</a>`).join(', ');
      return `<div class="cand"><div>${views}</div><div><b>${esc(j.job_id)}</b> (${esc(j.algo)})
        <span class="pill ${esc(j.status)}">${esc(j.status)}</span>
        <span class="pill" style="background:${colour(j.vfscore_overall)}">overall ${esc(j.vfscore_overall ?? '–')}</span><br>${subs}
        <br>repeats: ${esc((r.scores_all || []).join(', '))} · IQR ${esc(r.iqr)} · std ${esc(r.std)}
        ${j.error ? '<br><b>error:</b> ' + esc(j.error) : ''}${hist ? '<br>history: ' + hist : ''}
        ${(j.rationales || []).map(t => `<pre>${esc(t)}</pre>`).join('')}</div></div>`;
    }).join('');
  }));
}
document.querySelectorAll('#jobs th').forEach(th => th.addEventListener('click', () => {
  const k = th.dataset.key; sortDir = (sortKey === k) ? -sortDir : 1; sortKey = k; drawJobs();
}));
document.getElementById('filter').addEventListener('input', () => { page = 0; drawJobs(); });
document.getElementById('status').addEventListener('change', () => { page = 0; drawJobs(); });
document.getElementById('prev').addEventListener('click', () => { page = Math.max(0, page - 1); drawJobs(); });
document.getElementById('next').addEventListener('click', () => { page += 1; drawJobs(); });
drawJobs(); drawProducts();
