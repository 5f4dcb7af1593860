import type pg from 'pg';
import { rulesFrom } from '../src/modules/performance/scoring.js';
import { indexMissing, pgExecute } from '../src/migrations/search-backfill.js';

/** Topics from the committees' own reports (/work/shared/seeds), used as titles of synthetic records. */
export const TOPICS = [
  '关于紧固件国内市场集采的建议',
  '关于推进国家级经济开发区创建的建议',
  '关于加快老旧小区加装电梯的建议',
  '关于加强书香政协阵地建设的建议',
  '关于完善提案协商办法、加大提案办理力度的建议',
  '关于推动“政协委员之家”基层协商议事的建议',
  '关于提升山区寄宿制学校营养餐标准的建议',
  '关于高原特色农业品牌建设的建议',
  '关于滇池流域水环境综合治理的建议',
  '关于加强乡村振兴人才队伍建设的建议',
  '关于推进城乡居民医保异地结算的建议',
  '关于促进民营经济高质量发展的建议',
  '关于加强长江上游生态屏障建设的建议',
  '关于推动沿边开放和面向南亚东南亚辐射中心建设的建议',
  '关于发展县域特色产业、促进群众增收的建议',
];
export const SURNAMES = '张王李赵刘陈杨黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁沈任姚卢傅钟姜崔谭廖范汪陆金石戴贾韦夏邱方侯邹熊孟秦白江阎薛尹段雷黎史龙陶贺顾毛郝龚邵万钱严覃武'.split('');
export const GIVEN = '建国志强丽华明远红梅文华永红春燕家和立新继红雪梅海燕国荣德胜云芳光明晓东建平丽娟振华桂兰开明德林志伟绍忠'.match(/.{2}/g)!;
const SECTORS = ['中国共产党', '中国国民党革命委员会', '中国民主同盟', '中国民主建国会', '中国民主促进会', '中国农工民主党', '九三学社', '无党派人士', '经济界', '农业界', '教育界', '医药卫生界', '文化艺术界', '工商联', '妇联', '少数民族界'];

export interface ActivityOptions {
  /** Committees to fill, by code. */
  codes: string[];
  /** Member seats to create per committee (0: use the seats already there). */
  seats: number;
  /** Records (proposals, opinions and their levels, duty records) per committee, roughly. */
  records: number;
  from: Date;
  to: Date;
  /** Business "now": nothing generated lies after it; deadlines before it without an answer in time are overdue. */
  now: Date;
  /** Committees with no public-opinion reports between these dates (量化通报 shows them). */
  silent?: { code: string; from: Date; to: Date };
  /** Prefix of generated logins, so several runs do not collide; records go to seats whose login has it. */
  loginPrefix: string;
}

/**
 * Synthetic activity written straight into the tables (multi-row INSERT … SELECT from generate_series,
 * one committee at a time under its own app.tenant_id), consistent with what the workflows would write:
 * timestamps in order, statuses that fit, levels one up at a time. Counters are rebuilt afterwards.
 */
export async function generateActivity(client: pg.Client, o: ActivityOptions): Promise<void> {
  const tenants = (await client.query(`select id, code, parent_id, level, depth, config from tenant where code = any($1)`, [o.codes])).rows as { id: string; code: string; parent_id: string | null; level: string; depth: number; config: unknown }[];
  const span = `extract(epoch from ($3::timestamptz - $2::timestamptz))`;
  const nP = Math.round(o.records * 0.1);
  const nO = Math.round(o.records * 0.14);
  const nR = Math.max(0, o.records - nP - Math.round(nO * 1.5));
  if (!/^[a-z0-9.]*$/.test(o.loginPrefix)) throw new Error('loginPrefix: lowercase letters, digits and dots');
  const pfx = o.loginPrefix;
  for (const t of tenants) {
    await client.query('begin');
    await client.query(`select set_config('app.tenant_id', $1, true)`, [t.id]);
    if (o.seats > 0) {
    await client.query(
        `insert into app_user (id, tenant_id, province_id, city_id, login, display_name, role, unit_name, created_at, updated_at)
         select app_uuid7(x.made), $1, tt.province_id, tt.city_id, $2 || tt.code || '.' || (case when g <= 3 then 'd' else 'm' end) || g,
                ($3::text[])[1 + (g * 7) % array_length($3::text[], 1)] || ($4::text[])[1 + (g * 13) % array_length($4::text[], 1)],
                case when g <= 3 then 'DEPARTMENT' else 'MEMBER' end, case when g <= 3 then tt.name || '承办单位' || g end, x.made, x.made
           from tenant tt, generate_series(1, $5::int + 3) g, lateral (select $6::timestamptz + g * interval '1 millisecond' as made) x where tt.id = $1
         on conflict (login) do nothing`,
        [t.id, o.loginPrefix, SURNAMES, GIVEN, o.seats, o.from],
      );
      await client.query(
        `insert into member_seat (id, tenant_id, province_id, city_id, user_id, sector, term, created_at, updated_at)
         select app_uuid7(u.created_at), u.tenant_id, u.province_id, u.city_id, u.id, ($2::text[])[1 + abs(hashtext(u.login)) % array_length($2::text[], 1)], '第十届', u.created_at, u.created_at
           from app_user u where u.tenant_id = $1 and u.role = 'MEMBER' and u.login like $3 || '%'
         on conflict (tenant_id, user_id) do nothing`,
        [t.id, SECTORS, o.loginPrefix],
      );
    }
    // Proposals with a consistent history, every step by `now`: a step that would fall later has not
    // happened yet, and the status says so (a reply due in two days is still ASSIGNED).
    await client.query(
      `with seats as (select array_agg(s.user_id order by s.user_id) u from member_seat s join app_user su on su.id = s.user_id where s.tenant_id = $1 and su.login like '${pfx}%'),
            depts as (select array_agg(id order by id) d from handling_unit where tenant_id = $1),
            p as (
              select g, s, r1, r3, r4, s + interval '10 day' reviewed, s + interval '20 day' assigned, s + interval '20 day' + (1 + floor(r2 * 120)::int) * interval '1 day' replied
                from (select g, $2::timestamptz + random() * ${span} * interval '1 second' s, random() r1, random() r2, random() r3, random() r4
                        from generate_series(1, $4::int) g) x),
            q as (
              select p.*, case when reviewed > $6 or r1 < 0.1 then 'SUBMITTED' when r1 < 0.15 then 'NOT_FILED' when r1 < 0.2 then 'CONVERTED'
                               when assigned > $6 then 'FILED' when replied > $6 then 'ASSIGNED'
                               when replied + interval '15 day' > $6 then 'REPLIED' else 'RATED' end status
                from p),
            r as (
              select q.*, status in ('FILED','ASSIGNED','REPLIED','RATED') filed, status in ('ASSIGNED','REPLIED','RATED') handled, status in ('REPLIED','RATED') answered,
                     r4 < 0.05 and status in ('FILED','ASSIGNED','REPLIED','RATED') and reviewed + interval '1 day' <= $6 supervised
                from q)
       insert into proposal (id, tenant_id, province_id, city_id, title, content, kind, proposer_id, status, review_note,
                             lead_unit_id, reply_deadline, reply_class, reply_text, satisfaction, key_supervision,
                             submitted_at, reviewed_at, assigned_at, replied_at, rated_at, supervised_at, created_at, updated_at)
       select app_uuid7(s), $1, tt.province_id, tt.city_id, ($5::text[])[1 + g % array_length($5::text[], 1)], '建议有关部门加强统筹、细化措施、抓好落实。', 'MEMBER',
              seats.u[1 + (g * 31) % array_length(seats.u, 1)], status,
              case when status = 'NOT_FILED' then '不符合立案条件' end,
              case when handled then depts.d[1] end,
              case when handled then s + interval '110 day' end,
              case when answered then (array['A','B','C'])[1 + floor(r3 * 3)::int] end,
              case when answered then '已研究办理。' end,
              case when status = 'RATED' then (array['SATISFIED','SATISFIED','BASICALLY_SATISFIED','DISSATISFIED'])[1 + floor(r3 * 4)::int] end,
              supervised, s,
              case when status <> 'SUBMITTED' then reviewed end,
              case when handled then assigned end,
              case when answered then replied end,
              case when status = 'RATED' then replied + interval '15 day' end,
              case when supervised then reviewed + interval '1 day' end,
              s,
              greatest(s, case when status <> 'SUBMITTED' then reviewed end, case when handled then assigned end, case when answered then replied end,
                       case when status = 'RATED' then replied + interval '15 day' end, case when supervised then reviewed + interval '1 day' end)
         from r, seats, depts, tenant tt where tt.id = $1`,
      [t.id, o.from, o.to, nP, TOPICS, o.now],
    );
    await client.query(
      `insert into stat_deadline (item_key, metric, tenant_id, due_at, settled_at, counted)
       select 'Proposal:' || id, 'proposal.overdue', tenant_id, reply_deadline, replied_at, reply_deadline <= $2 and (replied_at is null or replied_at > reply_deadline)
         from proposal where tenant_id = $1 and reply_deadline is not null on conflict do nothing`,
      [t.id, o.now],
    );
    // Public-opinion reports and their own level; a silent committee reports nothing in its window.
    const silent = o.silent?.code === t.code ? o.silent : null;
    await client.query(
      `with seats as (select array_agg(s.user_id order by s.user_id) u from member_seat s join app_user su on su.id = s.user_id where s.tenant_id = $1 and su.login like '${pfx}%'),
            x as (select g, $2::timestamptz + random() * ${span} * interval '1 second' s from generate_series(1, $4::int) g)
       insert into opinion (id, tenant_id, province_id, city_id, title, content, author_id, source, status, submitted_at, created_at, updated_at)
       select app_uuid7(s), $1, tt.province_id, tt.city_id, '社情民意：' || ($5::text[])[1 + g % array_length($5::text[], 1)], '群众反映强烈，建议有关部门研究解决。',
              seats.u[1 + (g * 17) % array_length(seats.u, 1)], 'MEMBER', case when g % 3 = 0 then 'EDITED' else 'SUBMITTED' end, s, s, s
         from x, seats, tenant tt where tt.id = $1 and not (x.s >= coalesce($6::timestamptz, 'infinity') and x.s < coalesce($7::timestamptz, '-infinity'))`,
      [t.id, o.from, o.to, nO, TOPICS, silent?.from ?? null, silent?.to ?? null],
    );
    await client.query(
      `insert into opinion_route (id, opinion_id, tenant_id, province_id, city_id, origin_tenant_id, from_tenant_id, depth, created_at, received_at, forwarded_at, adopted_at)
       select app_uuid7(o.submitted_at), o.id, o.tenant_id, o.province_id, o.city_id, o.tenant_id, null, $2, o.submitted_at, o.submitted_at,
              case when $3::uuid is not null and abs(hashtext(o.id::text)) % 10 < 4 and o.submitted_at + interval '5 day' <= $4 then o.submitted_at + interval '5 day' end,
              case when abs(hashtext(o.id::text || 'a')) % 10 < 5 and o.submitted_at + interval '3 day' <= $4 then o.submitted_at + interval '3 day' end
         from opinion o where o.tenant_id = $1 and not exists (select 1 from opinion_route r where r.opinion_id = o.id)`,
      [t.id, t.depth, t.parent_id, o.now],
    );
    await client.query(`update opinion_route set updated_at = greatest(received_at, forwarded_at, adopted_at, instructed_at) where tenant_id = $1`, [t.id]);
    // One level up for those forwarded (and, from a county, sometimes on to the province).
    await client.query(
      `insert into opinion_route (id, opinion_id, tenant_id, province_id, city_id, origin_tenant_id, from_tenant_id, depth, created_at, received_at, forwarded_at, adopted_at, instructed_at, instruction, instructed_by)
       select app_uuid7(r.forwarded_at), r.opinion_id, p.id, p.province_id, p.city_id, r.origin_tenant_id, r.tenant_id, p.depth, r.forwarded_at, r.forwarded_at,
              case when p.parent_id is not null and abs(hashtext(r.id::text)) % 10 < 3 and r.forwarded_at + interval '7 day' <= $2 then r.forwarded_at + interval '7 day' end,
              case when abs(hashtext(r.id::text || 'a')) % 10 < 4 and r.forwarded_at + interval '4 day' <= $2 then r.forwarded_at + interval '4 day' end,
              case when abs(hashtext(r.id::text || 'i')) % 10 < 2 and r.forwarded_at + interval '6 day' <= $2 then r.forwarded_at + interval '6 day' end,
              case when abs(hashtext(r.id::text || 'i')) % 10 < 2 and r.forwarded_at + interval '6 day' <= $2 then '请有关部门研究办理' end,
              case when abs(hashtext(r.id::text || 'i')) % 10 < 2 and r.forwarded_at + interval '6 day' <= $2 then '主要领导' end
         from opinion_route r join tenant p on p.id = $3
        where r.tenant_id = $1 and r.from_tenant_id is null and r.forwarded_at is not null
          and not exists (select 1 from opinion_route x where x.opinion_id = r.opinion_id and x.tenant_id = p.id)`,
      [t.id, o.now, t.parent_id ?? '00000000-0000-0000-0000-000000000000'],
    );
    // The search index of what was written here with plain SQL (the application writes it with the text).
    await indexMissing(pgExecute(client));
    await client.query('commit');
    if (t.parent_id) {
      await client.query('begin');
      await client.query(`select set_config('app.tenant_id', $1, true)`, [t.parent_id]);
      await client.query(`update opinion_route set updated_at = greatest(received_at, forwarded_at, adopted_at, instructed_at) where tenant_id = $1 and from_tenant_id = $2`, [t.parent_id, t.id]);
      await client.query('commit');
    }
    if (t.parent_id) {
      // The city forwards some of what it received on to the province, as the city.
      const parent = (await client.query('select id, parent_id from tenant where id = $1', [t.parent_id])).rows[0];
      if (parent.parent_id) {
        await client.query('begin');
        await client.query(`select set_config('app.tenant_id', $1, true)`, [parent.id]);
        await client.query(
          `insert into opinion_route (id, opinion_id, tenant_id, province_id, city_id, origin_tenant_id, from_tenant_id, depth, created_at, received_at, adopted_at)
           select app_uuid7(r.forwarded_at), r.opinion_id, p.id, p.province_id, p.city_id, r.origin_tenant_id, r.tenant_id, p.depth, r.forwarded_at, r.forwarded_at,
                  case when abs(hashtext(r.id::text || 'p')) % 10 < 3 and r.forwarded_at + interval '5 day' <= $3 then r.forwarded_at + interval '5 day' end
             from opinion_route r join tenant p on p.id = $2
            where r.tenant_id = $1 and r.origin_tenant_id = $4 and r.forwarded_at is not null
              and not exists (select 1 from opinion_route x where x.opinion_id = r.opinion_id and x.tenant_id = p.id)`,
          [parent.id, parent.parent_id, o.now, t.id],
        );
        await client.query('commit');
        await client.query('begin');
        await client.query(`select set_config('app.tenant_id', $1, true)`, [parent.parent_id]);
        await client.query(`update opinion_route set updated_at = greatest(received_at, adopted_at) where tenant_id = $1 and origin_tenant_id = $2`, [parent.parent_id, t.id]);
        await client.query('commit');
      }
    }
    const tr = rulesFrom(t.config);
    const rules = Object.entries(tr.categories).map(([c, r]) => `('${c}', ${r.points}, ${r.cap})`).join(',');
    const checklistCats = `{${[...new Set(tr.checklist.map((i) => i.category))].join(',')}}`;
    // Archives (one per seat per year) and duty records; automatic ones for filed proposals and adoptions.
    await client.query('begin');
    await client.query(`select set_config('app.tenant_id', $1, true)`, [t.id]);
    await client.query(
      `insert into duty_archive (id, tenant_id, province_id, city_id, seat_id, user_id, year, created_at, updated_at)
       select app_uuid7(x.made), s.tenant_id, s.province_id, s.city_id, s.id, s.user_id, y, x.made, x.made
         from member_seat s, generate_series(extract(year from $2::timestamptz at time zone 'Asia/Shanghai')::int, extract(year from $3::timestamptz at time zone 'Asia/Shanghai')::int) y,
              lateral (select greatest($2::timestamptz, make_timestamptz(y, 1, 1, 0, 0, 0, 'Asia/Shanghai')) as made) x
        where s.tenant_id = $1 on conflict do nothing`,
      [t.id, o.from, o.to],
    );
    await client.query(
      `with a as (select d.year, array_agg(d.id order by d.id) ids from duty_archive d join member_seat s on s.id = d.seat_id
                    join app_user su on su.id = s.user_id and su.login like '${pfx}%' where d.tenant_id = $1 group by d.year),
            x as (select g, $2::timestamptz + random() * ${span} * interval '1 second' occ from generate_series(1, $4::int) g)
       insert into duty_record (id, tenant_id, province_id, city_id, archive_id, category, title, occurred_at, status, origin, created_at, updated_at)
       select app_uuid7(x.occ), da.tenant_id, da.province_id, da.city_id, da.id,
              (array['READING','SECTOR_VISIT','PUBLIC_WELFARE','GRASSROOTS_CONTACT','MEETING','RESEARCH','SUPERVISION','CONSULTATION','DELIBERATION','WORK_SUGGESTION'])[1 + (g * 7) % 10],
              '履职活动：' || ($5::text[])[1 + g % array_length($5::text[], 1)], x.occ, 'VERIFIED', 'MANUAL', x.occ, x.occ
         from x join a on a.year = extract(year from x.occ at time zone 'Asia/Shanghai')::int
         join duty_archive da on da.id = a.ids[1 + (x.g * 37) % cardinality(a.ids)]`,
      [t.id, o.from, o.to, nR, TOPICS],
    );
    await client.query(
      `insert into duty_record (id, tenant_id, province_id, city_id, archive_id, category, title, occurred_at, status, origin, source_key, created_at, updated_at)
       select app_uuid7(p.reviewed_at), p.tenant_id, p.province_id, p.city_id, d.id, 'PROPOSAL', p.title, p.reviewed_at, 'VERIFIED', 'AUTO', 'Proposal:' || p.id, p.reviewed_at, p.reviewed_at
         from proposal p join member_seat s on s.tenant_id = p.tenant_id and s.user_id = p.proposer_id
         join duty_archive d on d.seat_id = s.id and d.year = extract(year from p.reviewed_at at time zone 'Asia/Shanghai')::int
        where p.tenant_id = $1 and p.status in ('FILED','ASSIGNED','REPLIED','RATED')
       on conflict do nothing`,
      [t.id],
    );
    await client.query(
      `insert into duty_record (id, tenant_id, province_id, city_id, archive_id, category, title, occurred_at, status, origin, source_key, created_at, updated_at)
       select app_uuid7(r.adopted_at), o.tenant_id, o.province_id, o.city_id, d.id, 'OPINION', o.title, r.adopted_at, 'VERIFIED', 'AUTO', 'OpinionLevel:' || r.id, r.adopted_at, r.adopted_at
         from opinion_route r join opinion o on o.id = r.opinion_id
         join member_seat s on s.tenant_id = o.tenant_id and s.user_id = o.author_id
         join duty_archive d on d.seat_id = s.id and d.year = extract(year from r.adopted_at at time zone 'Asia/Shanghai')::int
        where r.origin_tenant_id = $1 and r.adopted_at is not null
       on conflict do nothing`,
      [t.id],
    );
    await client.query(
      `with rules(category, points, cap) as (values ${rules}),
            c as (select r.archive_id, r.category, count(*) n from duty_record r where r.tenant_id = $1 and r.status = 'VERIFIED' group by 1, 2),
            s as (select c.archive_id, sum(least(rules.cap, rules.points * c.n))::int score,
                         count(*) filter (where c.category = any($2::text[])) = cardinality($2::text[]) done
                    from c join rules using (category) group by 1)
       update duty_archive a set score = s.score, checklist_done = s.done from s where s.archive_id = a.id`,
      [t.id, checklistCats],
    );
    await client.query('commit');
  }
}
