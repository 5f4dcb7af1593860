import 'reflect-metadata';
import { describe, expect, it } from 'vitest';
import { assemble, type ModuleManifest } from '../../src/core/module.js';
import { listener } from '../../src/core/events.js';
import type { Context } from '../../src/core/context.js';
import { modules } from '../../src/app/modules.js';

const noop = listener<Context, 'duty.act'>({ id: 'x.noop', event: 'duty.act', handle: async () => {} });

describe('assembling the application from module manifests', () => {
  it('collects every module and the kernel, and names each part once', () => {
    const app = assemble(modules);
    const names = (fs: Function[]) => fs.map((f) => f.name);
    expect(names(app.entities)).toEqual(expect.arrayContaining(['NodeEntity', 'TenantOwned', 'Tenant', 'User', 'MemberSeat', 'Proposal', 'DeliberationEvent']));
    expect(names(app.resolvers)).toEqual(expect.arrayContaining(['NodeResolver', 'TenantResolver', 'JointWorkResolver', 'StatisticsResolver']));
    expect(new Set(names(app.entities)).size).toBe(app.entities.length);
    expect([...app.kernel.nodes.keys()].sort()).toEqual(
      ['Attachment', 'ConsultationPlan', 'ConsultationSuggestion', 'ConsultationTopic', 'DeadlineExtension', 'DeliberationEvent', 'DeliberationSession', 'DutyArchive', 'DutyRecord', 'HandlingUnit', 'JointParticipant', 'Meeting', 'MeetingAttendance', 'MeetingNotice', 'MeetingVenue', 'MemberSeat', 'MicroSuggestion', 'Notification', 'Opinion', 'Proposal', 'PublicNeed', 'ResearchContribution', 'ResearchProject', 'StateChange', 'SupervisionProgress', 'SupervisionTask', 'Tenant', 'TopicRecommendation', 'User'],
    );
  });

  it.each<[string, ModuleManifest]>([
    ['module', { name: 'tenant' }],
    ['node type', { name: 'extra', nodes: { Proposal: async () => null } }],
    ['loader group', { name: 'extra', loaders: { topic: () => ({}) as never } }],
    ['resolver', { name: 'extra', resolvers: [modules[0]!.resolvers![0]!] }],
    ['job task', { name: 'extra', jobs: { tasks: { 'notification.notify': async () => {} } } }],
    ['cron item', { name: 'extra', jobs: { cron: [{ id: 'notification.sweep', task: 'notification.sweep', schedule: '* * * * *' }] } }],
  ])('refuses a %s declared twice, naming both modules', (kind, extra) => {
    expect(() => assemble([...modules, extra])).toThrow(new RegExp(`^${kind} "[^"]+" is declared by both \\S+ and ${extra.name}$`));
  });

  it('refuses a listener id declared twice and delivers to each listener once, in manifest order', async () => {
    expect(() => assemble([{ name: 'a', listeners: [noop] }, { name: 'b', listeners: [noop] }])).toThrow('listener "x.noop" is declared by both a and b');
    const seen: string[] = [];
    const app = assemble([
      { name: 'a', listeners: [listener<Context, 'duty.act'>({ id: 'a.one', event: 'duty.act', handle: async (_c, e) => void seen.push(`a:${e.sourceId}`) })] },
      { name: 'b', listeners: [listener<Context, 'duty.act'>({ id: 'b.one', event: 'duty.act', handle: async (_c, e) => void seen.push(`b:${e.sourceId}`) })] },
    ]);
    const act = { kind: 'PROPOSAL_FILED' as const, userId: 'u', tenantId: 't', sourceType: 'Proposal', sourceId: 'p1', title: '提案', occurredAt: new Date(0) };
    await app.kernel.events.emit({} as Context, 'duty.act', act);
    expect(seen).toEqual(['a:p1', 'b:p1']);
  });
});
