// 网络议政: a session's transcript, presence and raised hands, streamed over graphql-ws.
// `graphql-ws/client` is the client alone: the package's main entry also holds the server (and graphql-js).
import { createClient, type Client } from 'graphql-ws/client';
import * as auth from './auth.js';
import { ApiError, esc, gql } from './api.js';

interface Tenant { code: string; committeeName: string }
interface Session {
  id: string;
  title: string;
  topicTitle: string;
  agenda: string;
  startsAt: string;
  endsAt: string;
  status: string;
  lastSeq: number;
  host: Tenant;
  participants: Tenant[];
  presence: { userName: string; connections: number; committee: Tenant | null }[];
}
interface LiveEvent {
  id: string;
  seq: number;
  kind: string;
  messageKind: string | null;
  actorName: string;
  replyToSeq: number | null;
  refSeq: number | null;
  targetName: string | null;
  status: string | null;
  reason: string | null;
  hiddenReason: string | null;
  at: string;
  text: string | null;
  hidden: boolean;
}

const EVENT_FIELDS = 'id seq kind messageKind actorName replyToSeq refSeq targetName status reason hiddenReason at text hidden';
const STREAM = `subscription Live($sessionId: ID!, $afterSeq: Int!) { deliberationEvents(sessionId: $sessionId, afterSeq: $afterSeq) { ${EVENT_FIELDS} } }`;
const SESSION_FIELDS = 'id title topicTitle agenda startsAt endsAt status lastSeq host { code committeeName } participants { code committeeName } presence { userName connections committee { code committeeName } }';
const STATUS: Record<string, string> = { SCHEDULED: '未开始', LIVE: '进行中', PAUSED: '暂停', ENDED: '已结束' };
const KIND: Record<string, string> = { SPEECH: '发言', COMMENT: '评论' };
const time = (iso: string) => new Date(iso).toLocaleTimeString('zh-CN', { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });

/** The socket's address: the page's own host, ws: or wss: as the page is http: or https:. */
export const socketUrl = () => `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/graphql`;

/**
 * One session's events, in sequence, each once. The stream is resubscribed by hand after a drop, from the
 * last `seq` applied (the API replays what came after it): graphql-ws's own retry would send the first
 * subscription again, with the `afterSeq` it started from. A repeated event is skipped; a gap (which the API
 * does not leave) resubscribes from the last applied one.
 */
class LiveStream {
  lastSeq = 0;
  private client: Client | null = null;
  private stop: (() => void) | null = null;
  private closed = false;
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** Bumped when a subscription is dropped: its client's late callbacks (complete after unsubscribe) are ignored. */
  private generation = 0;
  /** How many times the socket was accepted (1 on the first connection; more after reconnections). */
  connections = 0;

  constructor(
    private readonly sessionId: string,
    private readonly apply: (e: LiveEvent) => void,
    private readonly state: (s: 'connecting' | 'connected' | 'reconnecting' | 'ended' | 'failed', detail?: string) => void,
  ) {}

  start(fromSeq: number): void {
    this.lastSeq = fromSeq;
    this.connect();
  }

  private connect(): void {
    if (this.closed) return;
    const gen = ++this.generation;
    const live = () => gen === this.generation && !this.closed;
    this.state(this.connections ? 'reconnecting' : 'connecting');
    const client = createClient({
      url: socketUrl(),
      // The socket opens with the subscription and is dropped with it; reconnection is done by `retry`.
      lazy: true,
      retryAttempts: 0,
      // Read at every connection, so a reconnection after a renewal carries the new access token.
      connectionParams: async () => ({ authorization: `Bearer ${(await auth.accessToken()) ?? ''}` }),
      on: {
        connected: () => {
          if (!live()) return;
          this.connections++;
          this.attempt = 0;
          this.state('connected');
        },
      },
    });
    this.client = client;
    this.stop = client.subscribe<{ deliberationEvents: LiveEvent }>(
      { query: STREAM, variables: { sessionId: this.sessionId, afterSeq: this.lastSeq } },
      {
        next: (r) => {
          if (!live()) return;
          if (r.errors?.length) return this.fail(r.errors[0]!.message);
          const e = r.data?.deliberationEvents;
          if (!e || e.seq <= this.lastSeq) return;
          if (e.seq !== this.lastSeq + 1) return this.retry();
          this.lastSeq = e.seq;
          this.apply(e);
        },
        error: (err) => {
          if (!live()) return;
          if (Array.isArray(err)) return this.fail(String((err[0] as { message?: string })?.message ?? err));
          const code = (err as { code?: number }).code;
          // 4401/4403: the token was refused at connect (expired meanwhile): renew and try again, or stop.
          if (code === 4401 || code === 4403) {
            void auth.renew().then((ok) => (ok ? this.retry() : this.fail('会话已失效，请重新登录')));
            return;
          }
          this.retry();
        },
        complete: () => {
          if (!live()) return;
          this.close();
          this.state('ended');
        },
      },
    );
  }

  private teardown(): void {
    this.generation++;
    const client = this.client;
    this.stop?.();
    this.stop = null;
    this.client = null;
    void client?.dispose();
  }

  private retry(): void {
    this.teardown();
    if (this.closed || this.timer) return;
    this.state('reconnecting');
    const wait = Math.min(10_000, 300 * 2 ** this.attempt++);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.connect();
    }, wait);
  }

  private fail(message: string): void {
    this.close();
    this.state('failed', message);
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.teardown();
  }
}

let current: LiveStream | null = null;

/** Closes the open stream, if any (leaving the view, signing out, switching committee). */
export function leaveLive(): void {
  current?.close();
  current = null;
}

interface Viewer { role: string; tenantCode: string }

export async function renderLive(root: HTMLElement, viewer: Viewer): Promise<void> {
  root.innerHTML = '<div class="panel muted">正在加载…</div>';
  let sessions: Session[];
  try {
    sessions = (await gql<{ deliberationSessions: { edges: { node: Session }[] } }>(`{ deliberationSessions(first: 50) { edges { node { id title status startsAt host { code committeeName } } } } }`)).deliberationSessions.edges.map((e) => e.node);
  } catch (e) {
    root.innerHTML = `<div class="panel error" data-testid="live-error">${esc(e instanceof ApiError && e.code === 'FORBIDDEN' ? '您的角色不能查看网络议政' : (e as Error).message)}</div>`;
    return;
  }
  const order = (s: Session) => (s.status === 'LIVE' || s.status === 'PAUSED' ? 0 : s.status === 'SCHEDULED' ? 1 : 2);
  sessions.sort((a, b) => order(a) - order(b) || b.startsAt.localeCompare(a.startsAt));
  root.innerHTML = `
    <div class="live" data-testid="live">
      <div class="panel sessions"><h2>网络议政会</h2>${
        sessions.length
          ? `<ul class="plain">${sessions.map((s) => `<li><a class="session" data-id="${esc(s.id)}" data-testid="session-link">${esc(s.title)}</a> <span class="muted">${esc(s.host.committeeName)} · ${esc(STATUS[s.status] ?? s.status)} · ${esc(new Date(s.startsAt).toLocaleString('zh-CN', { hour12: false }))}</span></li>`).join('')}</ul>`
          : '<p class="muted">本级没有主办或参加的网络议政会。</p>'
      }</div>
      <div id="session"></div>
    </div>`;
  for (const a of root.querySelectorAll<HTMLAnchorElement>('a.session')) a.onclick = () => void openSession(a.dataset.id!, viewer);
}

async function openSession(id: string, viewer: Viewer): Promise<void> {
  leaveLive();
  const box = document.getElementById('session')!;
  box.innerHTML = '<div class="panel muted">正在加载…</div>';
  let s: Session | null;
  try {
    s = (await gql<{ deliberationSession: Session | null }>(`query ($id: ID!) { deliberationSession(id: $id) { ${SESSION_FIELDS} } }`, { id })).deliberationSession;
  } catch (e) {
    box.innerHTML = `<div class="panel error">${esc((e as Error).message)}</div>`;
    return;
  }
  if (!s) {
    box.innerHTML = '<div class="panel error">议政会不存在或无权查看</div>';
    return;
  }
  const session = s;
  const host = session.host.code === viewer.tenantCode && (viewer.role === 'STAFF' || viewer.role === 'LEADER');
  const member = viewer.role === 'MEMBER';
  box.innerHTML = `
    <div class="panel" data-testid="live-session" data-session="${esc(session.id)}">
      <div class="toolbar">
        <h2 style="margin:0">${esc(session.title)}</h2>
        <span class="badge" data-testid="live-status">${esc(STATUS[session.status] ?? session.status)}</span>
        <span class="muted" data-testid="live-state" data-state="connecting">正在连接…</span>
      </div>
      <p class="muted">议题：${esc(session.topicTitle)} · 主办：${esc(session.host.committeeName)} · 参加：${session.participants.map((t) => esc(t.committeeName)).join('、')}</p>
      <p class="muted">${esc(session.agenda)}</p>
    </div>
    <div class="live-grid">
      <div class="panel">
        <h2>实时记录</h2>
        <ol class="transcript" data-testid="transcript"></ol>
        ${
          member || host
            ? `<div class="compose">
                 <div class="toolbar">
                   ${member ? '<button class="plain" id="join" data-testid="join">加入议政</button><button class="plain" id="hand" data-testid="raise-hand">举手</button>' : ''}
                   ${host ? '<button class="plain" id="grant" data-testid="grant-floor">准予发言</button>' : ''}
                   <select id="kind" data-testid="message-kind">${member ? '<option value="SPEECH">发言</option>' : ''}<option value="COMMENT">评论</option></select>
                 </div>
                 <textarea id="text" data-testid="message-text" placeholder="输入发言内容"></textarea>
                 <p><button class="primary" id="post" data-testid="post">发送</button> <span class="error" id="act-error" data-testid="act-error"></span></p>
               </div>`
            : ''
        }
      </div>
      <div>
        <div class="panel"><h2>在线（<span data-testid="presence-count">0</span>）</h2><ul class="plain" data-testid="presence"></ul></div>
        <div class="panel"><h2>举手</h2><ol data-testid="hands"></ol></div>
      </div>
    </div>`;

  const transcript = box.querySelector<HTMLOListElement>('[data-testid=transcript]')!;
  const stateEl = box.querySelector<HTMLElement>('[data-testid=live-state]')!;
  const statusEl = box.querySelector<HTMLElement>('[data-testid=live-status]')!;
  // Presence as of `session.lastSeq` (the query's snapshot), then ONLINE / OFFLINE events after it.
  const online = new Map<string, number>(session.presence.map((p) => [p.userName, p.connections]));
  const hands = new Map<number, LiveEvent>();
  const messages = new Map<number, { event: LiveEvent; li: HTMLLIElement }>();
  const snapshotSeq = session.lastSeq;

  const drawPresence = () => {
    box.querySelector('[data-testid=presence-count]')!.textContent = String(online.size);
    box.querySelector('[data-testid=presence]')!.innerHTML = [...online.keys()].map((n) => `<li data-testid="present">${esc(n)}</li>`).join('') || '<li class="muted">暂无</li>';
  };
  const drawHands = () => {
    box.querySelector('[data-testid=hands]')!.innerHTML = [...hands.values()].map((e) => `<li data-testid="hand">${esc(e.actorName)} <span class="muted">${time(e.at)}</span></li>`).join('');
  };
  const messageHtml = (e: LiveEvent) =>
    e.hidden || e.text === null
      ? `<span class="muted">（该发言已被屏蔽${e.hiddenReason ? `：${esc(e.hiddenReason)}` : ''}）</span>`
      : `${e.replyToSeq ? `<span class="muted">回复 #${e.replyToSeq}：</span>` : ''}${esc(e.text)}`;
  const line = (e: LiveEvent, body: string, cls = '') => {
    const li = document.createElement('li');
    li.className = `event ${cls}`;
    li.dataset.seq = String(e.seq);
    li.dataset.kind = e.kind;
    li.innerHTML = `<span class="muted">#${e.seq} ${time(e.at)}</span> ${body}`;
    transcript.appendChild(li);
    li.scrollIntoView({ block: 'nearest' });
    return li;
  };

  const apply = (e: LiveEvent) => {
    switch (e.kind) {
      case 'MESSAGE_POSTED': {
        const li = line(e, `<b>${esc(e.actorName)}</b>${e.messageKind ? `<span class="tag">${esc(KIND[e.messageKind] ?? e.messageKind)}</span>` : ''}<span class="text" data-testid="message">${messageHtml(e)}</span>`, 'message');
        messages.set(e.seq, { event: e, li });
        break;
      }
      case 'MESSAGE_HIDDEN':
      case 'MESSAGE_SHOWN': {
        const m = e.refSeq ? messages.get(e.refSeq) : undefined;
        line(e, `<span class="muted">${esc(e.actorName)}${e.kind === 'MESSAGE_HIDDEN' ? `屏蔽了 #${e.refSeq}${e.reason ? `：${esc(e.reason)}` : ''}` : `恢复显示 #${e.refSeq}`}</span>`, 'note');
        if (m) {
          if (e.kind === 'MESSAGE_HIDDEN') {
            m.event = { ...m.event, hidden: true, text: null, hiddenReason: e.reason };
            m.li.querySelector('.text')!.innerHTML = messageHtml(m.event);
          } else {
            // The shown message's text is read again (the stream's MESSAGE_SHOWN names it, without its text).
            void gql<{ node: LiveEvent | null }>(`query ($id: ID!) { node(id: $id) { ... on DeliberationEvent { ${EVENT_FIELDS} } } }`, { id: m.event.id }).then((r) => {
              if (r.node) {
                m.event = r.node;
                m.li.querySelector('.text')!.innerHTML = messageHtml(r.node);
              }
            }, () => undefined);
          }
        }
        break;
      }
      case 'HAND_RAISED':
        hands.set(e.seq, e);
        line(e, `<span class="muted">${esc(e.actorName)} 举手</span>`, 'note');
        drawHands();
        break;
      case 'FLOOR_GRANTED':
        if (e.refSeq) hands.delete(e.refSeq);
        line(e, `<span class="muted">${esc(e.actorName)} 准予 ${esc(e.targetName ?? '')} 发言</span>`, 'note');
        drawHands();
        break;
      case 'JOINED':
      case 'LEFT':
        line(e, `<span class="muted">${esc(e.actorName)} ${e.kind === 'JOINED' ? '加入' : '退出'}</span>`, 'note');
        break;
      case 'ONLINE':
      case 'OFFLINE':
        if (e.seq > snapshotSeq) {
          if (e.kind === 'ONLINE') online.set(e.actorName, 1);
          else online.delete(e.actorName);
          drawPresence();
        }
        break;
      case 'STATUS_CHANGED':
        line(e, `<span class="muted">${esc(e.actorName)}：议政会${esc(STATUS[e.status ?? ''] ?? e.status)}</span>`, 'note');
        if (e.status) statusEl.textContent = STATUS[e.status] ?? e.status;
        break;
      default:
        line(e, `<span class="muted">${esc(e.kind)}</span>`, 'note');
    }
    transcript.dataset.lastSeq = String(e.seq);
  };
  const LABEL = { connecting: '正在连接…', connected: '实时连接中', reconnecting: '连接中断，正在重连…', ended: '议政会已结束', failed: '连接失败' } as const;
  const stream = new LiveStream(session.id, apply, (st, detail) => {
    stateEl.dataset.state = st;
    stateEl.dataset.connections = String(stream.connections);
    stateEl.textContent = detail ? `${LABEL[st]}：${detail}` : LABEL[st];
  });
  current = stream;
  drawPresence();
  stream.start(0);

  const act = async (f: () => Promise<unknown>) => {
    const err = box.querySelector<HTMLElement>('#act-error')!;
    err.textContent = '';
    try {
      await f();
    } catch (e) {
      err.textContent = (e as Error).message;
    }
  };
  const on = (sel: string, f: () => Promise<unknown>) => {
    const b = box.querySelector<HTMLButtonElement>(sel);
    if (b) b.onclick = () => void act(f);
  };
  on('#join', () => gql(`mutation ($id: ID!) { joinDeliberation(id: $id) { seq } }`, { id: session.id }));
  on('#hand', () => gql(`mutation ($id: ID!) { raiseHand(id: $id) { seq } }`, { id: session.id }));
  on('#grant', () => gql(`mutation ($id: ID!) { grantFloor(id: $id) { seq } }`, { id: session.id }));
  on('#post', async () => {
    const textEl = box.querySelector<HTMLTextAreaElement>('#text')!;
    const text = textEl.value.trim();
    if (!text) throw new Error('请填写发言内容');
    await gql(`mutation ($input: PostDeliberationMessageInput!) { postDeliberationMessage(input: $input) { seq } }`, {
      input: { sessionId: session.id, messageKind: box.querySelector<HTMLSelectElement>('#kind')!.value, text },
    });
    textEl.value = '';
  });
}
