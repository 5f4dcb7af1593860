import { describe, expect, it } from 'vitest';
import { RESEARCH_TRANSITIONS, ResearchStatus, canMoveResearch } from '../../src/modules/research/research.state.js';
import { SuggestionStatus, TOPIC_STAGES, TopicStage, canMoveTopic, defaultDeadline, effectiveStatus, nextStage } from '../../src/modules/topic/topic.state.js';

describe('research lifecycle', () => {
  it('allows exactly the documented moves', () => {
    const allowed = Object.values(ResearchStatus).flatMap((from) => Object.values(ResearchStatus).filter((to) => canMoveResearch(from, to)).map((to) => `${from}→${to}`));
    expect(allowed).toEqual([
      'DRAFT→INVITING', 'DRAFT→CANCELLED',
      'INVITING→IN_PROGRESS', 'INVITING→CANCELLED',
      'IN_PROGRESS→REPORTING', 'IN_PROGRESS→CANCELLED',
      'REPORTING→SUBMITTED', 'REPORTING→CANCELLED',
      'SUBMITTED→CLOSED',
    ]);
    expect(RESEARCH_TRANSITIONS.CLOSED).toEqual([]);
    expect(RESEARCH_TRANSITIONS.CANCELLED).toEqual([]);
  });
});

describe('topic closed loop', () => {
  it('moves one stage forward only: 选题→调研→协商→交办→落实→反馈→跟踪→办结', () => {
    expect(TOPIC_STAGES).toEqual(['SELECT', 'RESEARCH', 'CONSULT', 'ASSIGN', 'IMPLEMENT', 'FEEDBACK', 'TRACK', 'CLOSED']);
    const moves = TOPIC_STAGES.flatMap((a) => TOPIC_STAGES.filter((b) => canMoveTopic(a, b)).map((b) => `${a}→${b}`));
    expect(moves).toEqual(['SELECT→RESEARCH', 'RESEARCH→CONSULT', 'CONSULT→ASSIGN', 'ASSIGN→IMPLEMENT', 'IMPLEMENT→FEEDBACK', 'FEEDBACK→TRACK', 'TRACK→CLOSED']);
    expect(nextStage(TopicStage.CLOSED)).toBeNull();
  });

  it('defaults the feedback deadline to three calendar months, clamped to month end', () => {
    expect(defaultDeadline(new Date('2026-03-01T02:00:00Z')).toISOString()).toBe('2026-06-01T02:00:00.000Z');
    expect(defaultDeadline(new Date('2026-11-30T08:00:00Z')).toISOString()).toBe('2027-02-28T08:00:00.000Z');
    expect(defaultDeadline(new Date('2027-11-30T08:00:00Z')).toISOString()).toBe('2028-02-29T08:00:00.000Z');
  });

  it('an assigned suggestion is OVERDUE strictly after its deadline; answered ones never are', () => {
    const deadline = new Date('2026-06-01T00:00:00Z');
    expect(effectiveStatus(SuggestionStatus.ASSIGNED, deadline, new Date('2026-06-01T00:00:00Z'))).toBe('ASSIGNED');
    expect(effectiveStatus(SuggestionStatus.ASSIGNED, deadline, new Date('2026-06-01T00:00:00.001Z'))).toBe('OVERDUE');
    expect(effectiveStatus(SuggestionStatus.ADOPTED, deadline, new Date('2027-01-01T00:00:00Z'))).toBe('ADOPTED');
    expect(effectiveStatus(SuggestionStatus.DRAFT, null, new Date('2027-01-01T00:00:00Z'))).toBe('DRAFT');
  });
});
