import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { startTestApp, codeOf, type TestApp } from '../helpers/app.js';
import { Q, answer, ok, projectWithInvitations, topicOf } from '../helpers/joint.js';

/**
 * One research project and one topic led by 昆明, seen from every position the visibility rule names:
 * owner, accepted participant (五华区), declined (盘龙区), pending (西山区), an uninvited descendant (官渡区),
 * an uninvited ancestor (云南省) and a sibling of the owner (曲靖市). Run with the ORM filter on, and off.
 */
for (const ormTenantFilter of [true, false]) {
  describe(`joint items are visible exactly as the rule says (ORM filter ${ormTenantFilter ? 'on' : 'off: RLS alone'})`, () => {
    let app: TestApp;
    let project: { id: string; invitation: Record<string, string> };
    let topic: { id: string };
    let topicInvitation: Record<string, string>;
    let suggestion: string;
    const V = { owner: 'km.staff', accepted: 'wh.staff', declined: 'pl.staff', pending: 'xs.staff', descendant: 'gd.staff', ancestor: 'yn.staff', sibling: 'qj.staff' };

    beforeAll(async () => {
      app = await startTestApp({ ormTenantFilter });
      await app.createUser('xs.staff', '530112', 'STAFF', '西山区工作人员');
      await app.createUser('gd.staff', '530111', 'STAFF', '官渡区工作人员');
      await app.createUser('qj.staff', '530300', 'STAFF', '曲靖市工作人员');
      project = await projectWithInvitations(app, 'km.staff', '滇池保护治理联动调研', ['530102', '530103', '530112']);
      await answer(app, 'wh.staff', project.invitation['530102']!, true);
      await answer(app, 'pl.staff', project.invitation['530103']!, false, '另有任务');
      ok(await app.as('km.staff')(Q.move, { input: { id: project.id, to: 'IN_PROGRESS' } }), 'moveResearchProject');
      ok(await app.as('km.staff')(Q.contribute, { projectId: project.id, input: { title: '市级子课题', body: '正文' } }), 'submitResearchContribution');
      ok(await app.as('wh.staff')(Q.contribute, { projectId: project.id, input: { title: '五华子课题', body: '正文' } }), 'submitResearchContribution');

      topic = await topicOf(app, 'km.staff', '滇池流域生态补偿协商');
      const inv = ok<{ id: string; committee: { code: string } }[]>(await app.as('km.staff')(Q.inviteTopic, { input: { itemId: topic.id, committeeCodes: ['530102', '530103', '530112'] } }), 'inviteToTopic');
      topicInvitation = Object.fromEntries(inv.map((i) => [i.committee.code, i.id]));
      await answer(app, 'wh.staff', topicInvitation['530102']!, true);
      await answer(app, 'pl.staff', topicInvitation['530103']!, false, '另有任务');
      for (const to of ['RESEARCH', 'CONSULT']) ok(await app.as('km.staff')(Q.moveTopic, { input: { id: topic.id, to } }), 'moveConsultationTopic');
      suggestion = ok(await app.as('km.staff')(Q.addSuggestion, { input: { topicId: topic.id, content: '建立流域横向生态补偿机制' } }), 'addConsultationSuggestion').id;
    });
    afterAll(() => app.stop());

    const LIST = `{ researchProjects(first: 100) { totalCount edges { node { id } } } consultationTopics(first: 100, filter: { year: 2026 }) { totalCount edges { node { id } } } }`;
    const NODE = `query($id: ID!) { node(id: $id) { id } }`;
    const listed = async (login: string) => {
      const r = (await app.as(login)(LIST)).body.data;
      return {
        projects: r.researchProjects.edges.some((e: any) => e.node.id === project.id),
        projectCount: r.researchProjects.totalCount,
        topics: r.consultationTopics.edges.some((e: any) => e.node.id === topic.id),
      };
    };

    it('owner and accepted participant see the project, the topic and their shared parts', async () => {
      for (const login of [V.owner, V.accepted]) {
        // Two projects: this one and the seeded province project both committees take part in.
        expect(await listed(login)).toEqual({ projects: true, projectCount: 2, topics: true });
        expect((await app.as(login)(NODE, { id: project.id })).body.data.node).toEqual({ id: project.id });
        expect((await app.as(login)(NODE, { id: suggestion })).body.data.node).toEqual({ id: suggestion });
      }
      const q = `query($p: ID!, $t: ID!) {
        p: node(id: $p) { ... on ResearchProject { participants { committee { code } status } contributions { title } } }
        t: node(id: $t) { ... on ConsultationTopic { participants { committee { code } status } suggestions { number content } } } }`;
      const owner = (await app.as(V.owner)(q, { p: project.id, t: topic.id })).body.data;
      const participant = (await app.as(V.accepted)(q, { p: project.id, t: topic.id })).body.data;
      const everyone = [
        { committee: { code: '530102' }, status: 'ACCEPTED' },
        { committee: { code: '530103' }, status: 'DECLINED' },
        { committee: { code: '530112' }, status: 'PENDING' },
      ];
      expect(owner).toEqual({
        p: { participants: everyone, contributions: [{ title: '市级子课题' }, { title: '五华子课题' }] },
        t: { participants: everyone, suggestions: [{ number: 1, content: '建立流域横向生态补偿机制' }] },
      });
      // A participant sees who takes part, but of the contributions only its own.
      expect(participant).toEqual({
        p: { participants: everyone, contributions: [{ title: '五华子课题' }] },
        t: { participants: everyone, suggestions: [{ number: 1, content: '建立流域横向生态补偿机制' }] },
      });
    });

    it('a pending invitee sees the invitation only; a declined one its declined invitation only', async () => {
      for (const [login, code, status] of [[V.pending, '530112', 'PENDING'], [V.declined, '530103', 'DECLINED']] as const) {
        expect(await listed(login)).toEqual({ projects: false, projectCount: 0, topics: false });
        for (const id of [project.id, topic.id, suggestion]) expect((await app.as(login)(NODE, { id })).body.data.node).toBeNull();
        const inv = await app.as(login)(`query($id: ID!) { node(id: $id) { ... on JointParticipant { title status owner { code } item { __typename } } } }`, { id: project.invitation[code] });
        expect(inv.body.data.node).toEqual({ title: '滇池保护治理联动调研', status, owner: { code: '530100' }, item: null });
      }
      const waiting = await app.as(V.pending)(`{ jointWork { invitations { title itemType kind status } } }`);
      expect(waiting.body.data.jointWork.invitations).toEqual([
        { title: '滇池保护治理联动调研', itemType: 'ResearchProject', kind: 'INVITATION', status: 'PENDING' },
        { title: '滇池流域生态补偿协商', itemType: 'ConsultationTopic', kind: 'INVITATION', status: 'PENDING' },
      ]);
    });

    it('an uninvited ancestor, descendant or sibling sees nothing: not in lists, counts, ids or invitations', async () => {
      for (const login of [V.ancestor, V.descendant, V.sibling]) {
        // The province leads the seeded project; nobody here sees 昆明's.
        expect(await listed(login)).toEqual({ projects: false, projectCount: login === V.ancestor ? 1 : 0, topics: false });
        for (const id of [project.id, topic.id, suggestion, project.invitation['530102']!, topicInvitation['530102']!]) {
          expect((await app.as(login)(NODE, { id })).body.data.node).toBeNull();
        }
      }
      // The ancestor's own (seeded) projects are its own; this one is not among them.
      const yn = (await app.as(V.ancestor)(`{ researchProjects(first: 100) { edges { node { leadCommittee { code } } } } }`)).body.data;
      expect(new Set(yn.researchProjects.edges.map((e: any) => e.node.leadCommittee.code))).toEqual(new Set(['530000']));
    });

    it('mutations by anyone outside read NOT_FOUND; by a participant that may not act, FORBIDDEN', async () => {
      for (const login of [V.pending, V.declined, V.ancestor, V.descendant, V.sibling]) {
        const c = await app.as(login)(Q.contribute, { projectId: project.id, input: { title: 't', body: 'b' } });
        expect(c.body.errors?.[0]).toMatchObject({ message: 'Research project not found', extensions: { code: 'NOT_FOUND' } });
        expect(codeOf(await app.as(login)(Q.move, { input: { id: project.id, to: 'REPORTING' } }))).toBe('NOT_FOUND');
        expect(codeOf(await app.as(login)(Q.moveTopic, { input: { id: topic.id, to: 'ASSIGN' } }))).toBe('NOT_FOUND');
        expect(codeOf(await app.as(login)(Q.addSuggestion, { input: { topicId: topic.id, content: 'x' } }))).toBe('NOT_FOUND');
      }
      expect(codeOf(await app.as(V.accepted)(Q.moveTopic, { input: { id: topic.id, to: 'ASSIGN' } }))).toBe('FORBIDDEN');
      // Someone else's invitation cannot be answered, whoever can see it.
      for (const login of [V.owner, V.accepted, V.sibling]) {
        expect(codeOf(await app.as(login)(Q.respond, { id: project.invitation['530112'], accept: true }))).toBe('NOT_FOUND');
      }
    });

    it('a decline reason is for the inviter and the decliner only, by participants, their history or the invitation', async () => {
      const q = `query($p: ID!, $t: ID!) {
        p: node(id: $p) { ... on ResearchProject { participants { committee { code } status reason history { toState comment } } } }
        t: node(id: $t) { ... on ConsultationTopic { participants { committee { code } status reason history { toState comment } } } } }`;
      const declined = (reason: string | null) => ({ committee: { code: '530103' }, status: 'DECLINED', reason, history: [{ toState: 'PENDING', comment: null }, { toState: 'DECLINED', comment: reason }] });
      const forOwner = (await app.as(V.owner)(q, { p: project.id, t: topic.id })).body.data;
      expect([forOwner.p.participants[1], forOwner.t.participants[1]]).toEqual([declined('另有任务'), declined('另有任务')]);
      const forParticipant = (await app.as(V.accepted)(q, { p: project.id, t: topic.id })).body.data;
      expect([forParticipant.p.participants[1], forParticipant.t.participants[1]]).toEqual([declined(null), declined(null)]);
      const inv = `query($id: ID!) { node(id: $id) { ... on JointParticipant { status reason history { comment } } } }`;
      expect((await app.as(V.declined)(inv, { id: project.invitation['530103'] })).body.data.node).toEqual({ status: 'DECLINED', reason: '另有任务', history: [{ comment: null }, { comment: '另有任务' }] });
      expect((await app.as(V.accepted)(inv, { id: project.invitation['530103'] })).body.data.node).toEqual({ status: 'DECLINED', reason: null, history: [{ comment: null }, { comment: null }] });
      // The seeded province project: 昆明 takes part, 盘龙区 declined; the city does not read 盘龙区's reason.
      const seeded = `{ researchProjects(first: 100, filter: { leading: false }) { edges { node { leadCommittee { code } participants { committee { code } status reason } } } } }`;
      const km = (await app.as('km.staff')(seeded)).body.data.researchProjects.edges.find((e: any) => e.node.leadCommittee.code === '530000').node;
      expect(km.participants.find((x: any) => x.committee.code === '530103')).toEqual({ committee: { code: '530103' }, status: 'DECLINED', reason: null });
      const yn = (await app.as('yn.staff')(`{ researchProjects(first: 100) { edges { node { participants { committee { code } reason } } } } }`)).body.data.researchProjects.edges;
      expect(yn.flatMap((e: any) => e.node.participants).find((x: any) => x.committee.code === '530103')).toEqual({ committee: { code: '530103' }, reason: '本年度已承担市级重点调研任务，调研力量不足' });
    });

    it('a project’s reviews are read with the project: owner and accepted participant only, also by raw SQL under RLS', async () => {
      const p = await projectWithInvitations(app, 'km.staff', '审定记录可见性测试', ['530102', '530103']);
      await answer(app, 'wh.staff', p.invitation['530102']!, true);
      await answer(app, 'pl.staff', p.invitation['530103']!, false, '另有任务');
      for (const to of ['IN_PROGRESS', 'REPORTING']) ok(await app.as('km.staff')(Q.move, { input: { id: p.id, to } }), 'moveResearchProject');
      ok(await app.as('km.staff')(`mutation($id: ID!) { compileResearchReport(projectId: $id, report: "报告") { id } }`, { id: p.id }), 'compileResearchReport');
      ok(await app.as('km.staff')(`mutation($id: ID!) { recordResearchReview(projectId: $id, input: { reviewBody: "秘书长会议", reviewedOn: "2026-02-26" }) { id } }`, { id: p.id }), 'recordResearchReview');
      const q = `query($id: ID!) { node(id: $id) { ... on ResearchProject { reviews { reviewBody reviewedOn } } } }`;
      for (const login of [V.owner, V.accepted]) {
        expect({ login, body: (await app.as(login)(q, { id: p.id })).body }).toEqual({ login, body: { data: { node: { reviews: [{ reviewBody: '秘书长会议', reviewedOn: '2026-02-26' }] } } } });
      }
      for (const login of [V.declined, V.ancestor, V.descendant, V.sibling]) {
        expect({ login, body: (await app.as(login)(q, { id: p.id })).body }).toEqual({ login, body: { data: { node: null } } });
      }
      const appRole = new pg.Client({ connectionString: app.running.db.appUrl });
      await appRole.connect();
      try {
        const seen: Record<string, number> = {};
        for (const code of ['530100', '530102', '530103', '530000', '530300']) {
          await appRole.query('begin');
          await appRole.query(`select set_config('app.tenant_id', (select id::text from tenant where code = $1), true)`, [code]);
          seen[code] = (await appRole.query(`select count(*)::int n from research_review where project_id = $1`, [app.uuid(p.id)])).rows[0].n;
          await appRole.query('rollback');
        }
        expect(seen).toEqual({ '530100': 1, '530102': 1, '530103': 0, '530000': 0, '530300': 0 });
      } finally {
        await appRole.end();
      }
    });

    it('history is visible with its item, and only with it', async () => {
      const q = `query($id: ID!) { node(id: $id) { ... on ConsultationTopic { history { toState } } } }`;
      expect((await app.as(V.accepted)(q, { id: topic.id })).body.data.node).toEqual({ history: [{ toState: 'SELECT' }, { toState: 'RESEARCH' }, { toState: 'CONSULT' }] });
      expect((await app.as(V.sibling)(q, { id: topic.id })).body.data.node).toBeNull();
    });
  });
}
