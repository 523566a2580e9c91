/// <reference lib="dom" />
/**
 * The usage panel's script, run in the webview (bundled with uPlot into dist/usage-panel.js; nothing is fetched).
 * Keeps the frames the extension sends, draws per clone four small line charts (CPU, memory, disk, network) and the
 * host's CPU and memory, in the editor theme's colours (CSS variables, read again when the theme changes); the
 * clones are sorted by the chosen figure; clicking a clone's title asks the extension to select it in the tree.
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import './usage.css';
import { sortClones, type CloneFrame, type FramesMessage, type SortKey, type UsageFrame } from '../usageFrames';

declare function acquireVsCodeApi(): { postMessage(m: unknown): void; getState(): unknown; setState(s: unknown): void };
const vscode = acquireVsCodeApi();

const KEEP_S = 10 * 60;
let frames: UsageFrame[] = [];
let sortKey: SortKey = ((vscode.getState() as { sort?: SortKey } | undefined)?.sort) ?? 'cpu';
const charts: uPlot[] = [];
/** What a new frame changes when the layout stays (same clones in the same order): chart data and figures. */
const updaters: (() => void)[] = [];
/** The sort and the clones' order the page was built for. */
let layout = '';

const cssVar = (name: string, fallback: string): string => getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;
const colours = () => ({
  fg: cssVar('--vscode-foreground', '#ccc'),
  grid: cssVar('--vscode-editorWidget-border', 'rgba(128,128,128,0.3)'),
  a: cssVar('--vscode-charts-blue', '#3794ff'),
  b: cssVar('--vscode-charts-orange', '#d18616'),
});

const bytes = (v: number | null): string => {
  if (v === null) return '';
  const u = ['B', 'KiB', 'MiB', 'GiB'];
  let i = 0;
  while (v >= 1024 && i < u.length - 1) {
    v /= 1024;
    i++;
  }
  // Axis ticks of an all-zero chart fall between 0 and 1 B: one decimal there too.
  return `${v >= 10 || Number.isInteger(v) ? Math.round(v) : v.toFixed(1)} ${u[i]}`;
};

interface ChartSpec {
  readonly title: string;
  readonly names: readonly [string, string?];
  readonly values: (c: CloneFrame) => readonly [number, number?];
  readonly axis: (v: number) => string;
  readonly max?: number;
}

const CLONE_CHARTS: readonly ChartSpec[] = [
  { title: 'CPU %', names: ['used', 'waiting'], values: (c) => [c.cpu, c.wait], axis: (v) => `${Math.round(v)}%`, max: 100 },
  { title: 'Memory', names: ['in use'], values: (c) => [c.memMiB * 1048576], axis: (v) => bytes(v) },
  { title: 'Disk', names: ['read', 'write'], values: (c) => [c.diskR, c.diskW], axis: (v) => `${bytes(v)}/s` },
  { title: 'Network', names: ['receive', 'send'], values: (c) => [c.netRx, c.netTx], axis: (v) => `${bytes(v)}/s` },
];

/** One small chart of `series` over `xs` (seconds), in the theme's colours. */
function chart(parent: HTMLElement, title: string, names: readonly (string | undefined)[], data: () => (number | null)[][], axis: (v: number) => string, max?: number): void {
  const xs = frames.map((f) => f.at);
  const c = colours();
  const width = Math.max(200, Math.min(320, Math.floor((document.body.clientWidth - 60) / 4)));
  const opts: uPlot.Options = {
    title,
    width,
    height: 130,
    legend: { show: true, live: false },
    cursor: { show: false },
    scales: { x: { time: true }, y: max ? { range: [0, max] } : { range: (_u, _min, mx) => [0, Math.max(mx, 1)] } },
    axes: [
      { stroke: c.fg, grid: { stroke: c.grid, width: 1 }, ticks: { stroke: c.grid, width: 1 }, values: (_u, ticks) => ticks.map((t) => new Date(t * 1000).toLocaleTimeString([], { minute: '2-digit', second: '2-digit' })) },
      { stroke: c.fg, grid: { stroke: c.grid, width: 1 }, ticks: { stroke: c.grid, width: 1 }, size: 70, values: (_u, ticks) => ticks.map(axis) },
    ],
    series: [{}, ...names.filter((n) => n !== undefined).map((n, i) => ({ label: n, stroke: i === 0 ? c.a : c.b, width: 1.5, points: { show: xs.length < 4 } }))],
  };
  const n = opts.series.length - 1;
  const u = new uPlot(opts, [xs, ...data().slice(0, n)] as uPlot.AlignedData, parent);
  charts.push(u);
  updaters.push(() => u.setData([frames.map((f) => f.at), ...data().slice(0, n)] as uPlot.AlignedData));
}

/** The sort and the clones' order the newest frame asks for. */
function layoutOf(): string {
  const last = frames[frames.length - 1];
  return last ? `${sortKey}|${sortClones(last.clones, sortKey).map((c) => c.name).join('|')}` : '';
}

function render(): void {
  for (const ch of charts.splice(0)) ch.destroy();
  updaters.length = 0;
  layout = layoutOf();
  const app = document.getElementById('app')!;
  app.textContent = '';
  const bar = document.createElement('div');
  bar.className = 'bar';
  const label = document.createElement('label');
  label.textContent = 'Sort clones by ';
  const select = document.createElement('select');
  select.id = 'sort';
  for (const k of ['cpu', 'memory', 'disk', 'network', 'name'] as const) {
    const o = document.createElement('option');
    o.value = k;
    o.textContent = k === 'cpu' ? 'CPU' : k;
    o.selected = k === sortKey;
    select.append(o);
  }
  select.addEventListener('change', () => {
    sortKey = select.value as SortKey;
    vscode.setState({ sort: sortKey });
    render();
  });
  label.append(select);
  bar.append(label);
  app.append(bar);
  const last = frames[frames.length - 1];
  if (!last) {
    const p = document.createElement('p');
    p.textContent = 'Waiting for the first figures (read every few seconds while this panel or the qq2clone view is visible).';
    app.append(p);
    return;
  }
  const host = document.createElement('section');
  host.className = 'host';
  const h = document.createElement('h2');
  h.textContent = `Host: ${last.host.cpus} CPUs, ${bytes(last.host.memTotalMiB * 1048576)} memory`;
  host.append(h);
  const hostCharts = document.createElement('div');
  hostCharts.className = 'charts';
  host.append(hostCharts);
  app.append(host);
  chart(hostCharts, 'Host CPU %', ['used'], () => [frames.map((f) => f.host.cpu)], (v) => `${Math.round(v)}%`, 100);
  chart(hostCharts, 'Host memory', ['in use'], () => [frames.map((f) => f.host.memMiB * 1048576)], (v) => bytes(v));
  if (!last.clones.length) {
    const p = document.createElement('p');
    p.textContent = 'No clone is running.';
    app.append(p);
  }
  for (const c of sortClones(last.clones, sortKey)) {
    const sec = document.createElement('section');
    sec.className = 'clone';
    sec.dataset.name = c.name;
    const title = document.createElement('h2');
    const a = document.createElement('a');
    a.href = '#';
    a.className = 'clone-title';
    a.textContent = `${c.label}`;
    a.title = 'Select this clone in the qq2clone view';
    a.addEventListener('click', (e) => {
      e.preventDefault();
      vscode.postMessage({ type: 'select', name: c.name });
    });
    const figures = document.createElement('span');
    figures.className = 'figures';
    const showFigures = () => {
      const now = frames[frames.length - 1]?.clones.find((x) => x.name === c.name) ?? c;
      const marks = [now.full ? 'full CPU' : '', now.oom ? 'out of memory' : ''].filter(Boolean).join(', ');
      figures.textContent = ` (${now.template}) CPU ${Math.round(now.cpu)}% +${Math.round(now.wait)}% waiting · ${bytes(now.memMiB * 1048576)} · disk ${bytes(now.diskR)}/s r ${bytes(now.diskW)}/s w${marks ? ` · ${marks}` : ''}`;
      sec.classList.toggle('marked', marks !== '');
    };
    showFigures();
    updaters.push(showFigures);
    title.append(a, figures);
    sec.append(title);
    const box = document.createElement('div');
    box.className = 'charts';
    sec.append(box);
    app.append(sec);
    for (const spec of CLONE_CHARTS) {
      const n = spec.names[1] === undefined ? 1 : 2;
      const data = () => {
        const rows = frames.map((f) => f.clones.find((x) => x.name === c.name));
        return Array.from({ length: n }, (_, i) => rows.map((r) => (r ? (spec.values(r)[i] ?? null) : null)));
      };
      chart(box, spec.title, spec.names, data, spec.axis, spec.max);
    }
  }
}

window.addEventListener('message', (e: MessageEvent<FramesMessage>) => {
  const m = e.data;
  if (m?.type !== 'frames') return;
  frames = m.reset ? [...m.frames] : [...frames, ...m.frames];
  const newest = frames[frames.length - 1]?.at ?? 0;
  frames = frames.filter((f) => f.at >= newest - KEEP_S);
  // The page is rebuilt only when its layout changes: an element under the pointer stays for the click.
  if (layoutOf() === layout) for (const f of updaters) f();
  else render();
});
// The theme changed: VS Code swaps the body's classes and CSS variables; the canvases take colours when drawn.
new MutationObserver(() => render()).observe(document.body, { attributes: true, attributeFilter: ['class'] });
window.addEventListener('resize', () => render());
vscode.postMessage({ type: 'ready' });
render();
