// The console: a client of the public GraphQL API only. Plain TypeScript and DOM, Apache ECharts for charts.
import * as echarts from 'echarts/core';
import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import './style.css';
import * as auth from './auth.js';
import { ApiError, esc, gql } from './api.js';
import { renderLive, leaveLive } from './live.js';

echarts.use([BarChart, LineChart, GridComponent, TooltipComponent, CanvasRenderer]);

interface Tenant { code: string; committeeName: string; level?: string }
interface Metric { metric: string; label: string; value: number }
interface Rate { rate: string; label: string; numerator: number; denominator: number; value: number | null }
interface Figures { metrics: Metric[]; rates: Rate[] }
interface Rollup {
  period: string;
  from: string;
  to: string;
  tenant: Tenant;
  own: Figures;
  subtree: Figures;
  children: { tenant: Tenant; subtree: Figures }[];
  rankings: { metric: string; label: string; entries: { rank: number; value: number; tenant: Tenant }[] }[];
  silentChildren: Tenant[];
}
interface Me {
  role: string;
  user: { displayName: string; login: string; homeTenant: Tenant };
  tenant: Tenant;
  seats: { tenant: Tenant; status: string }[];
}

/** A rate as shown (the same as the 通报 export): an average as a number, a share as a percentage. */
const pct = (v: number | null, rate = '') => (v === null ? '—' : rate === 'perf.average_score' ? v.toFixed(1) : `${(v * 100).toFixed(1)}%`);
const ROLE: Record<string, string> = { ADMIN: '管理员', LEADER: '领导', STAFF: '机关工作人员', MEMBER: '委员', DEPARTMENT: '承办单位' };
const app = document.getElementById('app')!;

// ---------------------------------------------------------------- sign-in

function renderSignIn(message = ''): void {
  leaveLive();
  app.innerHTML = `
    <div class="signin panel" data-testid="signin">
      <h2>三级政协联动平台 · 登录</h2>
      <form id="password-form">
        <p><label>账号 <input id="login" data-testid="login" autocomplete="username" required></label></p>
        <p><label>密码 <input id="password" data-testid="password" type="password" autocomplete="current-password" required></label></p>
        <p id="new-password-row" hidden><label>新密码 <input id="new-password" data-testid="new-password" type="password" autocomplete="new-password"></label>
          <span class="muted">管理员设置或重置的密码须先修改：10–128 位，不含账号。</span></p>
        <p><button class="primary" type="submit" data-testid="signin-button">登录</button></p>
      </form>
      <p class="error" data-testid="signin-error">${esc(message)}</p>
      <details>
        <summary class="muted">使用访问令牌登录（运维签发，如 <code>npm run token -- yn.staff</code>）</summary>
        <textarea id="token" data-testid="token" placeholder="eyJ…"></textarea>
        <p><button class="plain" id="token-signin" data-testid="token-button">使用令牌</button></p>
      </details>
    </div>`;
  const field = (id: string) => document.getElementById(id) as HTMLInputElement;
  const error = (m: string) => void (document.querySelector('[data-testid=signin-error]')!.textContent = m);
  (document.getElementById('password-form') as HTMLFormElement).onsubmit = async (e) => {
    e.preventDefault();
    const login = field('login').value.trim();
    const newPassword = field('new-password').value;
    try {
      if (newPassword) await auth.changePassword(login, field('password').value, newPassword);
      else await auth.signIn(login, field('password').value);
    } catch (err) {
      if (err instanceof auth.AuthError && err.reason === 'PASSWORD_CHANGE_REQUIRED') {
        document.getElementById('new-password-row')!.hidden = false;
        field('new-password').required = true;
      }
      return error(signInMessage(err));
    }
    await start();
  };
  document.getElementById('token-signin')!.onclick = async () => {
    const t = (document.getElementById('token') as HTMLTextAreaElement).value.trim().replace(/^Bearer\s+/i, '');
    if (!t) return error('请填写令牌');
    auth.useToken(t);
    await start();
  };
}

/** What the sign-in form says for a refusal: by its code, in Chinese; the API's own message otherwise. */
function signInMessage(err: unknown): string {
  if (!(err instanceof auth.AuthError)) return (err as Error).message;
  if (err.reason === 'PASSWORD_CHANGE_REQUIRED') return '该账号须先修改密码：请填写新密码后再次登录';
  if (err.code === 'UNAUTHENTICATED') return '账号或密码错误';
  if (err.code === 'TOO_MANY_ATTEMPTS') return '登录失败次数过多，请稍后再试';
  if (err.code === 'NETWORK') return err.message;
  return `登录失败：${err.message}`;
}

async function signOut(): Promise<void> {
  leaveLive();
  disposeCharts();
  await auth.signOut();
  state.path = [];
  renderSignIn('已退出登录');
}

/** Committees the account may act for: its home and every committee where it holds an active seat. */
function actable(m: Me): Tenant[] {
  const out = new Map<string, Tenant>([[m.user.homeTenant.code, m.user.homeTenant]]);
  for (const s of m.seats) if (s.status === 'ACTIVE' && !out.has(s.tenant.code)) out.set(s.tenant.code, s.tenant);
  return [...out.values()];
}

async function switchTo(code: string): Promise<void> {
  try {
    await auth.switchCommittee(code);
  } catch (e) {
    alert(`切换失败：${(e as Error).message}`);
    if (!auth.signedIn()) return renderSignIn('会话已失效，请重新登录');
  }
  leaveLive();
  disposeCharts();
  state.path = [];
  await start();
}

// ---------------------------------------------------------------- shell

let me: Me;
let view: 'cockpit' | 'desk' | 'live' = 'cockpit';

async function start(): Promise<void> {
  if (!auth.signedIn()) return renderSignIn();
  try {
    ({ me } = await gql<{ me: Me }>(`{ me { role user { displayName login homeTenant { code committeeName level } } tenant { code committeeName level } seats { status tenant { code committeeName level } } } }`));
  } catch (e) {
    auth.drop();
    return renderSignIn(e instanceof ApiError && e.code === 'UNAUTHENTICATED' ? '令牌无效或已过期' : `登录失败：${(e as Error).message}`);
  }
  const committees = actable(me);
  const otherSeats = me.seats.filter((s) => s.tenant.code !== me.tenant.code);
  // Switching needs a renewable session (signed in with a password); a pasted token acts for one committee.
  const switcher =
    committees.length > 1 && auth.renewable()
      ? `<label class="switch">代表 <select id="committee" data-testid="committee-switch">${committees.map((t) => `<option value="${esc(t.code)}"${t.code === me.tenant.code ? ' selected' : ''}>${esc(t.committeeName)}</option>`).join('')}</select></label>`
      : otherSeats.length
        ? `<span class="muted" style="color:#fff" data-testid="seats">其他席位：${otherSeats.map((s) => esc(s.tenant.committeeName)).join('、')}</span>`
        : '';
  app.innerHTML = `
    <header>
      <h1>三级政协联动 · ${esc(me.tenant.committeeName)}</h1>
      <div class="who">
        <span data-testid="viewer">${esc(me.user.displayName)}（${esc(ROLE[me.role] ?? me.role)}，${esc(me.tenant.committeeName)}）</span>
        ${switcher}
        <a href="/graphql" target="_blank" data-testid="explorer-link">接口调试</a>
        <button id="signout" data-testid="signout">退出登录</button>
      </div>
    </header>
    <nav>
      <button data-view="cockpit">驾驶舱</button>
      <button data-view="desk">联动工作台</button>
      <button data-view="live">网络议政</button>
    </nav>
    <main id="view"></main>`;
  document.getElementById('signout')!.onclick = () => void signOut();
  const select = document.getElementById('committee') as HTMLSelectElement | null;
  if (select) select.onchange = () => void switchTo(select.value);
  for (const b of app.querySelectorAll<HTMLButtonElement>('nav button')) {
    b.onclick = () => {
      view = b.dataset.view as typeof view;
      void renderView();
    };
  }
  await renderView();
}

async function renderView(): Promise<void> {
  for (const b of app.querySelectorAll<HTMLButtonElement>('nav button')) b.classList.toggle('on', b.dataset.view === view);
  disposeCharts();
  leaveLive();
  if (view === 'desk') return renderDesk();
  if (view === 'live') return renderLive(document.getElementById('view')!, { role: me.role, tenantCode: me.tenant.code });
  return renderCockpit();
}

// ---------------------------------------------------------------- cockpit

const FIGURES = `metrics { metric label value } rates { rate label numerator denominator value }`;
const ROLLUP_QUERY = `query Cockpit($code: String, $period: String!) {
  rollup(code: $code, period: $period) {
    period from to
    tenant { code committeeName level }
    own { ${FIGURES} }
    subtree { ${FIGURES} }
    children { tenant { code committeeName level } subtree { ${FIGURES} } }
    rankings { metric label entries { rank value tenant { code committeeName } } }
    silentChildren { code committeeName }
  }
}`;
/** Columns of the children's table besides the rates. */
const TABLE_METRICS = ['proposal.submitted', 'proposal.filed', 'proposal.overdue', 'opinion.submitted', 'opinion.adopted', 'opinion.instructed', 'suggestion.total', 'suggestion.overdue'];
const HEADLINE = ['proposal.submitted', 'proposal.filed', 'opinion.submitted', 'opinion.adopted', 'research.projects', 'topic.joint', 'suggestion.total'];
const OVERDUE = ['proposal.overdue', 'suggestion.overdue'];

const state = {
  // ?period=2025 opens the cockpit on that period (links, the benchmark); the current year otherwise.
  period: new URLSearchParams(location.search).get('period') || String(new Date().getFullYear()),
  path: [] as Tenant[],
  sort: { key: 'name', desc: false },
  rankMetric: '',
  trendMetric: 'proposal.submitted',
  rollup: null as Rollup | null,
};
let charts: echarts.ECharts[] = [];
function disposeCharts(): void {
  for (const c of charts) c.dispose();
  charts = [];
}

/** The months of the period's year up to the period's end, for the trend line. */
function trendMonths(r: Rollup): string[] {
  const year = r.from.slice(0, 4);
  const last = r.to.slice(0, 4) > year ? 12 : Number(r.to.slice(5, 7)) - 1 || 12;
  return Array.from({ length: last }, (_, i) => `${year}-${String(i + 1).padStart(2, '0')}`);
}

async function renderCockpit(): Promise<void> {
  const root = document.getElementById('view')!;
  if (!state.path.length) state.path = [me.tenant];
  const current = state.path[state.path.length - 1];
  root.innerHTML = `
    <div class="panel toolbar">
      <label>统计期间 <input id="period" data-testid="period" value="${esc(state.period)}" size="18" title="2025、2025-Q2、2025-03 或 2025-01..2025-06"></label>
      <span class="muted">年 2025 · 季 2025-Q2 · 月 2025-03 · 区间 2025-01..2025-06</span>
      <button class="primary" id="load" data-testid="load">查询</button>
      <span class="crumbs" data-testid="crumbs">${state.path.map((t, i) => (i < state.path.length - 1 ? `<a data-i="${i}">${esc(t.committeeName)}</a> › ` : `<b>${esc(t.committeeName)}</b>`)).join('')}</span>
      <span style="margin-left:auto"></span>
      <button class="plain" id="xlsx" data-testid="export-xlsx">导出通报（Excel）</button>
      <button class="plain" id="csv" data-testid="export-csv">导出 CSV</button>
    </div>
    <div id="cockpit" data-testid="cockpit"><div class="panel muted">正在加载 ${esc(current.committeeName)} 的统计…</div></div>`;
  (document.getElementById('load') as HTMLButtonElement).onclick = () => {
    state.period = (document.getElementById('period') as HTMLInputElement).value.trim();
    void renderCockpit();
  };
  for (const a of root.querySelectorAll<HTMLAnchorElement>('.crumbs a')) {
    a.onclick = () => {
      state.path = state.path.slice(0, Number(a.dataset.i) + 1);
      void renderCockpit();
    };
  }
  (document.getElementById('xlsx') as HTMLButtonElement).onclick = () => void download('xlsx', current.code);
  (document.getElementById('csv') as HTMLButtonElement).onclick = () => void download('csv', current.code);

  const box = document.getElementById('cockpit')!;
  let r: Rollup;
  try {
    r = (await gql<{ rollup: Rollup }>(ROLLUP_QUERY, { code: current.code, period: state.period })).rollup;
  } catch (e) {
    box.innerHTML = `<div class="panel error" data-testid="cockpit-error">${esc(e instanceof ApiError && e.code === 'FORBIDDEN' ? '您的角色不能查看统计汇总（需机关工作人员、领导或管理员）' : (e as Error).message)}</div>`;
    return;
  }
  state.rollup = r;
  if (!r.rankings.some((k) => k.metric === state.rankMetric)) state.rankMetric = r.rankings[0]?.metric ?? '';
  const label = new Map(r.subtree.metrics.map((m) => [m.metric, m.label]));
  const ownValue = new Map(r.own.metrics.map((m) => [m.metric, m.value]));
  const card = (m: Metric, warn = false) => `
    <div class="card${warn && m.value > 0 ? ' warn' : ''}" data-testid="headline-${esc(m.metric)}">
      <div class="label">${esc(m.label)}</div>
      <div class="value" data-testid="subtree-value">${m.value}</div>
      <div class="sub">本级 <span data-testid="own-value">${ownValue.get(m.metric) ?? 0}</span></div>
    </div>`;
  box.innerHTML = `
    <div class="panel">
      <h2>${esc(r.tenant.committeeName)} · ${esc(r.period)}（${esc(r.from)} 至 ${esc(r.to)}，不含截止日）· 本级及所属合计</h2>
      <div class="cards" data-testid="headline">${r.subtree.metrics.filter((m) => HEADLINE.includes(m.metric)).map((m) => card(m)).join('')}
        ${r.subtree.rates.map((x) => `<div class="card" data-testid="rate-${esc(x.rate)}"><div class="label">${esc(x.label)}</div><div class="value">${pct(x.value, x.rate)}</div><div class="sub">${x.numerator} / ${x.denominator}</div></div>`).join('')}
      </div>
    </div>
    <div class="panel">
      <h2>逾期情况</h2>
      <div class="cards" data-testid="overdue">${r.subtree.metrics.filter((m) => OVERDUE.includes(m.metric)).map((m) => card(m, true)).join('')}</div>
    </div>
    <div class="panel">
      ${
        r.children.length === 0
          ? '<p class="muted">本级没有下级政协。</p>'
          : r.silentChildren.length
            ? `<div class="callout" data-testid="zero-report"><b>零报送通报：</b>${r.silentChildren.map((t) => esc(t.committeeName)).join('、')} 本期未报送社情民意信息。</div>`
            : '<div class="callout ok" data-testid="zero-report">零报送通报：本期各下级均有社情民意信息报送。</div>'
      }
    </div>
    ${r.children.length ? `<div class="panel"><h2>下级政协（点击行逐级查看）</h2><div class="scroll" id="children"></div></div>` : ''}
    <div class="charts">
      ${r.children.length ? `<div class="panel"><div class="toolbar"><h2 style="margin:0">量化排名</h2><select id="rank-metric" data-testid="rank-metric">${r.rankings.map((k) => `<option value="${esc(k.metric)}"${k.metric === state.rankMetric ? ' selected' : ''}>${esc(k.label)}</option>`).join('')}</select></div><div class="chart" id="rank-chart" data-testid="rank-chart"></div></div>` : ''}
      <div class="panel"><div class="toolbar"><h2 style="margin:0">月度趋势</h2><select id="trend-metric" data-testid="trend-metric">${r.subtree.metrics.filter((m) => !m.metric.startsWith('perf.')).map((m) => `<option value="${esc(m.metric)}"${m.metric === state.trendMetric ? ' selected' : ''}>${esc(m.label)}</option>`).join('')}</select></div><div class="chart" id="trend-chart" data-testid="trend-chart"></div></div>
    </div>`;
  if (r.children.length) {
    renderChildren(r, label);
    drawRanking(r);
    (document.getElementById('rank-metric') as HTMLSelectElement).onchange = (e) => {
      state.rankMetric = (e.target as HTMLSelectElement).value;
      drawRanking(r);
    };
  }
  (document.getElementById('trend-metric') as HTMLSelectElement).onchange = (e) => {
    state.trendMetric = (e.target as HTMLSelectElement).value;
    void drawTrend(r);
  };
  void drawTrend(r);
}

function renderChildren(r: Rollup, label: Map<string, string>): void {
  const cols: { key: string; title: string; get: (c: Rollup['children'][number]) => number | null; rate?: boolean }[] = [
    ...TABLE_METRICS.map((k) => ({ key: k, title: label.get(k) ?? k, get: (c: Rollup['children'][number]) => c.subtree.metrics.find((m) => m.metric === k)?.value ?? 0 })),
    ...r.subtree.rates.map((x) => ({ key: x.rate, title: x.label, rate: true, get: (c: Rollup['children'][number]) => c.subtree.rates.find((y) => y.rate === x.rate)?.value ?? null })),
  ];
  const { key, desc } = state.sort;
  const rows = [...r.children].sort((a, b) => {
    if (key === 'name') return a.tenant.code.localeCompare(b.tenant.code) * (desc ? -1 : 1);
    const col = cols.find((c) => c.key === key)!;
    const va = col.get(a) ?? -1;
    const vb = col.get(b) ?? -1;
    return (va - vb) * (desc ? -1 : 1) || a.tenant.code.localeCompare(b.tenant.code);
  });
  const arrow = (k: string) => (k === key ? (desc ? ' ▼' : ' ▲') : '');
  const el = document.getElementById('children')!;
  el.innerHTML = `<table data-testid="children-table">
    <thead><tr><th data-key="name">下级政协${arrow('name')}</th>${cols.map((c) => `<th data-key="${esc(c.key)}">${esc(c.title)}${arrow(c.key)}</th>`).join('')}</tr></thead>
    <tbody>${rows
      .map(
        (c) => `<tr class="drill" data-code="${esc(c.tenant.code)}" data-testid="child-row">
          <td data-testid="child-name">${esc(c.tenant.committeeName)}</td>
          ${cols.map((col) => `<td data-metric="${esc(col.key)}">${col.rate ? pct(col.get(c), col.key) : col.get(c)}</td>`).join('')}
        </tr>`,
      )
      .join('')}</tbody></table>`;
  for (const th of el.querySelectorAll<HTMLElement>('th')) {
    th.onclick = () => {
      const k = th.dataset.key!;
      state.sort = { key: k, desc: state.sort.key === k ? !state.sort.desc : k !== 'name' };
      renderChildren(r, label);
    };
  }
  for (const tr of el.querySelectorAll<HTMLElement>('tr.drill')) {
    tr.onclick = () => {
      const child = r.children.find((c) => c.tenant.code === tr.dataset.code)!;
      state.path = [...state.path, child.tenant];
      disposeCharts();
      void renderCockpit();
    };
  }
}

function chartIn(id: string): echarts.ECharts {
  const el = document.getElementById(id)!;
  const existing = echarts.getInstanceByDom(el);
  if (existing) return existing;
  const c = echarts.init(el, undefined, { renderer: 'canvas' });
  charts.push(c);
  return c;
}

function markDrawn(c: echarts.ECharts, id: string): void {
  c.on('finished', () => {
    document.getElementById(id)?.setAttribute('data-drawn', 'true');
    if (!(window as unknown as { __firstChartAt?: number }).__firstChartAt) (window as unknown as { __firstChartAt?: number }).__firstChartAt = performance.now();
  });
}

function drawRanking(r: Rollup): void {
  const ranking = r.rankings.find((k) => k.metric === state.rankMetric);
  if (!ranking) return;
  const c = chartIn('rank-chart');
  markDrawn(c, 'rank-chart');
  const entries = [...ranking.entries].reverse();
  c.setOption(
    {
      animation: false,
      tooltip: { trigger: 'axis' },
      grid: { left: 110, right: 30, top: 10, bottom: 30 },
      xAxis: { type: 'value', minInterval: 1 },
      yAxis: { type: 'category', data: entries.map((e) => `${e.rank}. ${e.tenant.committeeName}`) },
      series: [{ type: 'bar', data: entries.map((e) => e.value), itemStyle: { color: '#b71c1c' }, label: { show: true, position: 'right' } }],
    },
    true,
  );
}

async function drawTrend(r: Rollup): Promise<void> {
  const months = trendMonths(r);
  const metric = state.trendMetric;
  const query = `query Trend($code: String) { ${months.map((m, i) => `m${i}: rollup(code: $code, period: "${m}") { subtree { metrics { metric value } } }`).join(' ')} }`;
  let data: Record<string, { subtree: { metrics: { metric: string; value: number }[] } }>;
  try {
    data = await gql(query, { code: r.tenant.code });
  } catch {
    return;
  }
  if (state.rollup !== r || !document.getElementById('trend-chart')) return;
  const values = months.map((_, i) => data[`m${i}`].subtree.metrics.find((x) => x.metric === metric)?.value ?? 0);
  const el = document.getElementById('trend-chart')!;
  // What the line shows, month by month (the browser test compares it with the API's month roll-ups).
  el.dataset.metric = metric;
  el.dataset.values = JSON.stringify(values);
  const c = chartIn('trend-chart');
  markDrawn(c, 'trend-chart');
  c.setOption(
    {
      animation: false,
      tooltip: { trigger: 'axis' },
      grid: { left: 40, right: 20, top: 20, bottom: 30 },
      xAxis: { type: 'category', data: months.map((m) => `${Number(m.slice(5))}月`) },
      yAxis: { type: 'value', minInterval: 1 },
      series: [{ type: 'line', data: values, itemStyle: { color: '#b71c1c' } }],
    },
    true,
  );
}

async function download(format: 'xlsx' | 'csv', code: string): Promise<void> {
  const res = await fetch(`/export/tongbao.${format}?code=${encodeURIComponent(code)}&period=${encodeURIComponent(state.period)}`, {
    headers: { authorization: `Bearer ${(await auth.accessToken()) ?? ''}` },
  });
  if (!res.ok) {
    const body = (await res.json().catch(() => null)) as { errors?: { message: string }[] } | null;
    alert(`导出失败：${body?.errors?.[0]?.message ?? res.status}`);
    return;
  }
  const blob = await res.blob();
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = `通报-${code}-${state.period}.${format}`;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

// ---------------------------------------------------------------- county desk

const DESK_QUERY = `{
  jointWork {
    invitations { id itemType kind status title respondBy owner { committeeName } }
    projects(first: 20) { edges { node { id title status endDate leadCommittee { committeeName } } } }
    topics(first: 20) { edges { node { id title year stage committee { committeeName } } } }
    deadlines(withinDays: 60) { kind title due }
  }
}`;

async function renderDesk(): Promise<void> {
  const root = document.getElementById('view')!;
  root.innerHTML = '<div class="panel muted">正在加载…</div>';
  type Desk = {
    jointWork: {
      invitations: { id: string; itemType: string; kind: string; status: string; title: string; respondBy: string | null; owner: Tenant }[];
      projects: { edges: { node: { id: string; title: string; status: string; endDate: string; leadCommittee: Tenant } }[] };
      topics: { edges: { node: { id: string; title: string; year: number; stage: string; committee: Tenant } }[] };
      deadlines: { kind: string; title: string; due: string }[];
    };
  };
  let d: Desk['jointWork'];
  try {
    d = (await gql<Desk>(DESK_QUERY)).jointWork;
  } catch (e) {
    root.innerHTML = `<div class="panel error" data-testid="desk-error">${esc((e as Error).message)}</div>`;
    return;
  }
  const list = <T>(items: T[], f: (x: T) => string, empty: string) => (items.length ? `<ul class="plain">${items.map((x) => `<li>${f(x)}</li>`).join('')}</ul>` : `<p class="muted">${empty}</p>`);
  root.innerHTML = `
    <div data-testid="desk">
      <div class="panel"><h2>待答复邀请（${d.invitations.length}）</h2>${list(d.invitations, (i) => `${esc(i.owner.committeeName)}：${esc(i.title)} <span class="muted">${esc(i.status)}${i.respondBy ? `，${esc(i.respondBy)} 前答复` : ''}</span>`, '暂无待答复的邀请')}</div>
      <div class="panel"><h2>联合调研</h2>${list(d.projects.edges, (e) => `${esc(e.node.title)} <span class="muted">牵头：${esc(e.node.leadCommittee.committeeName)} · ${esc(e.node.status)} · 截至 ${esc(e.node.endDate)}</span>`, '暂无进行中的联合调研')}</div>
      <div class="panel"><h2>联动议题</h2>${list(d.topics.edges, (e) => `${esc(e.node.title)} <span class="muted">${esc(e.node.committee.committeeName)} · ${e.node.year} · ${esc(e.node.stage)}</span>`, '暂无联动议题')}</div>
      <div class="panel"><h2>近期到期（60 天内）</h2>${list(d.deadlines, (x) => `${esc(new Date(x.due).toLocaleDateString('zh-CN'))} · ${esc(x.title)} <span class="muted">${esc(x.kind)}</span>`, '60 天内没有到期事项')}</div>
    </div>`;
}

void start();
