// overview: the server draws the charts (SVG as images); top lists as tables.
import { get } from './api.js';
import { el, clear, beginPaint, isLatest } from './dom.js';

function topTable(title, rows) {
  const t = el('table', {}, el('thead', {}, el('tr', {}, el('th', { text: title }), el('th', { class: 'num', text: 'Tickets' }))));
  const b = el('tbody');
  for (const r of rows) b.append(el('tr', {}, el('td', { class: 'clip', text: r.name }), el('td', { class: 'num', text: r.count })));
  t.append(b);
  return t;
}

export async function render() {
  const view = document.getElementById('view');
  const paint = beginPaint();
  const o = await get('/api/overview');
  if (!isLatest(paint)) return;
  const stamp = Date.now();
  const img = (name, alt) => el('img', { src: `/api/overview/${name}.svg?${stamp}`, alt });
  clear(view).append(
    el('h1', { class: 'page', text: 'Overview, last ' + o.days + ' days' }),
    el('div', { class: 'charts' }, img('per-day', 'Tickets per day and kind'), img('per-kind', 'Tickets per kind')),
    el('div', { class: 'cols2 charts' },
      o.top_sources.length ? img('top-sources', 'Top sources') : el('p', { class: 'empty', text: 'No sources yet.' }),
      o.top_orgs.length ? img('top-orgs', 'Top organisations') : el('p', { class: 'empty', text: 'No organisations yet.' })),
    el('details', {}, el('summary', { text: 'Top lists as text' }),
      el('div', { class: 'cols2' }, topTable('Top sources', o.top_sources), topTable('Top organisations', o.top_orgs))));
}
