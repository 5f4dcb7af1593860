import pg from 'pg';
import { DEMO_COMMITTEES, readPerCommittee } from './owner-reads.js';
import { newId } from '../src/core/ids.js';

type Line = [login: string, kind: string, text?: string, extra?: Record<string, unknown>];

/**
 * 昆明市政协's ended network deliberation on bringing its 136 委员书屋 (member reading rooms) into the
 * communities, with 五华区 and 盘龙区 taking part. Names are the demo accounts (fictional people).
 */
const ENDED = {
  host: '530100',
  participants: ['530100', '530102', '530103'],
  topicTitle: '依托“委员书屋”推动全民阅读向社区延伸',
  title: '“书香昆明”网络议政会',
  agenda: '一、市政协办公室通报全市136个“委员书屋”建设情况；二、委员围绕阅读阵地向社区延伸发言；三、主持人小结。',
  /** Days before the seed's `now`: a session held two weeks ago, 14:30–16:00 China time. */
  daysAgo: 16,
  minutes: 90,
  lines: [
    ['km.staff', 'STATUS_CHANGED', undefined, { status: 'LIVE' }],
    ['km.staff', 'MESSAGE_POSTED', '各位委员下午好。依托“委员之家”“委员工作站”，全市已建成136个“委员书屋”，并向省、市、县各级委员开放。今天请大家围绕阅读阵地如何更好地向社区延伸建言。', { messageKind: 'COMMENT' }],
    ['wh.member', 'JOINED'],
    ['km.member', 'JOINED'],
    ['pl.member', 'JOINED'],
    ['km.member', 'HAND_RAISED'],
    ['km.staff', 'FLOOR_GRANTED', undefined, { grant: 'km.member' }],
    ['km.member', 'MESSAGE_POSTED', '建议把“委员书屋”与中小学课后服务衔接起来，放学后开放两小时，由教育界委员轮流开展阅读指导，让书屋真正用起来。', { messageKind: 'SPEECH' }],
    ['wh.member', 'HAND_RAISED'],
    ['km.staff', 'FLOOR_GRANTED', undefined, { grant: 'wh.member' }],
    ['wh.member', 'MESSAGE_POSTED', '五华区老城片区老旧小区多、公共空间少。建议在社区党群服务中心内设置书屋分点，图书由市级书屋统一流转，解决“有屋无书、有书无人”的问题。', { messageKind: 'SPEECH' }],
    ['pl.member', 'MESSAGE_POSTED', '赞同。涉农街道也可以把书屋延伸到村（社区）文化室，增加农业实用技术类图书。', { messageKind: 'COMMENT', replyTo: 11 }],
    ['pl.member', 'HAND_RAISED'],
    ['km.staff', 'FLOOR_GRANTED', undefined, { grant: 'pl.member' }],
    ['pl.member', 'MESSAGE_POSTED', '建议建立书屋使用情况季度通报制度，把借阅人次、活动场次纳入委员履职档案，推动书屋从“建起来”转向“活起来”。', { messageKind: 'SPEECH' }],
    ['km.staff', 'MESSAGE_POSTED', '感谢各位委员的发言。大家提出的课后服务衔接、图书统一流转、使用情况通报三条建议，会后由市政协办公室整理，形成协商成果报送。', { messageKind: 'COMMENT' }],
    ['km.staff', 'STATUS_CHANGED', undefined, { status: 'ENDED' }],
  ] as Line[],
};

/** 五华区政协's upcoming session; 周明远 (wh.member) and his colleagues can join when it opens. */
const SCHEDULED = {
  host: '530102',
  participants: ['530102', '530100'],
  topicTitle: '“协商在基层”：解决社区“急难小”民生问题',
  title: '五华区“协商在基层”网络议政会',
  agenda: '一、区政协办公室通报社区“急难小”问题收集情况；二、委员分组发言；三、形成协商建议交办。',
  /** Days after the seed's `now`: next week, 14:30–16:30 China time. */
  daysAhead: 7,
  minutes: 120,
};

const DAY = 86400_000;
/** 14:30 China time (06:30 UTC) on the day `days` from `now`. */
const at1430 = (now: Date, days: number) => {
  const d = new Date(now.getTime() + days * DAY);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), 6, 30);
};

/**
 * Demo deliberation sessions, dated from `now` (the clock's): the ended one two weeks before, the scheduled
 * one a week after. Idempotent by session title; writes with app.tenant_id set to the host.
 */
export async function seedDeliberation(ownerUrl: string, now = new Date()): Promise<{ sessions: number; events: number }> {
  const client = new pg.Client({ connectionString: ownerUrl });
  await client.connect();
  let sessions = 0;
  let events = 0;
  try {
    const tenants = new Map<string, { id: string; province_id: string; city_id: string | null }>(
      (await client.query('select id, code, province_id, city_id from tenant')).rows.map((r) => [r.code, r]),
    );
    const users = new Map<string, { id: string; display_name: string; tenant_id: string }>(
      (await readPerCommittee<{ id: string; login: string; display_name: string; tenant_id: string }>(client, DEMO_COMMITTEES, 'select id, login, display_name, tenant_id from app_user where tenant_id = app_tenant()')).map((r) => [r.login, r]),
    );
    const user = (login: string) => {
      const u = users.get(login);
      if (!u) throw new Error(`deliberation seed: no demo user ${login}`);
      return u;
    };
    await client.query('begin');
    type Spec = Pick<typeof SCHEDULED, 'host' | 'participants' | 'topicTitle' | 'title' | 'agenda'>;
    const createSession = async (spec: Spec, startsAt: number, minutes: number, status: string, lastSeq: number, createdBy: string): Promise<string | null> => {
      const host = tenants.get(spec.host)!;
      await client.query(`select set_config('app.tenant_id', $1, true)`, [host.id]);
      const exists = await client.query('select 1 from deliberation_session where tenant_id = $1 and title = $2', [host.id, spec.title]);
      if (exists.rowCount) return null;
      // Scheduled a week ahead of its start, or now if that is later.
      const scheduledAt = Math.min(startsAt - 7 * DAY, now.getTime());
      const id = newId(scheduledAt);
      await client.query(
        `insert into deliberation_session (id, tenant_id, province_id, city_id, participant_ids, topic_title, title, agenda, starts_at, ends_at, status, last_seq, created_by, created_at, updated_at)
         values ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$14)`,
        [id, host.id, host.province_id, host.city_id, spec.participants.map((c) => tenants.get(c)!.id), spec.topicTitle, spec.title, spec.agenda,
          new Date(startsAt), new Date(startsAt + minutes * 60_000), status, lastSeq, createdBy, new Date(scheduledAt)],
      );
      sessions++;
      return id;
    };

    const endedStart = at1430(now, -ENDED.daysAgo);
    const ended = await createSession(ENDED, endedStart, ENDED.minutes, 'ENDED', ENDED.lines.length, user('km.staff').id);
    if (ended) {
      const host = tenants.get(ENDED.host)!;
      const participantIds = ENDED.participants.map((c) => tenants.get(c)!.id);
      const raised = new Map<string, number>();
      let at = endedStart;
      for (const [i, [login, kind, text, extra = {}]] of ENDED.lines.entries()) {
        const seq = i + 1;
        const u = user(login);
        at += 90_000;
        if (kind === 'HAND_RAISED') raised.set(login, seq);
        const grant = extra.grant ? user(extra.grant as string) : null;
        await client.query(
          `insert into deliberation_event (id, tenant_id, province_id, city_id, participant_ids, session_id, seq, kind, message_kind, actor_id, actor_name, actor_tenant_id,
             text, reply_to_seq, ref_seq, target_user_id, target_name, status, at, created_at, updated_at)
           values ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$19,$19)`,
          [
            newId(at), host.id, host.province_id, host.city_id, participantIds, ended, seq, kind, extra.messageKind ?? null, u.id, u.display_name, u.tenant_id,
            text ?? null, extra.replyTo ?? null, grant ? raised.get(extra.grant as string) : null, grant?.id ?? null, grant?.display_name ?? null, extra.status ?? null, new Date(at),
          ],
        );
        events++;
      }
    }
    await createSession(SCHEDULED, at1430(now, SCHEDULED.daysAhead), SCHEDULED.minutes, 'SCHEDULED', 0, user('wh.staff').id);
    await client.query('commit');
  } catch (e) {
    await client.query('rollback');
    throw e;
  } finally {
    await client.end();
  }
  return { sessions, events };
}
