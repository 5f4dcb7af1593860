import type { DutyActKind } from '../../core/events.js';

export enum DutyCategory {
  PROPOSAL = 'PROPOSAL',
  OPINION = 'OPINION',
  RESEARCH = 'RESEARCH',
  SUPERVISION = 'SUPERVISION',
  CONSULTATION = 'CONSULTATION',
  DELIBERATION = 'DELIBERATION',
  MEETING = 'MEETING',
  READING = 'READING',
  SECTOR_VISIT = 'SECTOR_VISIT',
  PUBLIC_WELFARE = 'PUBLIC_WELFARE',
  GRASSROOTS_CONTACT = 'GRASSROOTS_CONTACT',
  WORK_SUGGESTION = 'WORK_SUGGESTION',
}

/** Acts the platform sees, and the category they count under. */
export const CATEGORY_OF_ACT: Record<DutyActKind, DutyCategory> = {
  PROPOSAL_FILED: DutyCategory.PROPOSAL,
  OPINION_ADOPTED: DutyCategory.OPINION,
  RESEARCH_CONTRIBUTION: DutyCategory.RESEARCH,
  CONSULTATION_SUGGESTION: DutyCategory.CONSULTATION,
  DELIBERATION_SPEECH: DutyCategory.DELIBERATION,
  MEETING_ATTENDANCE: DutyCategory.MEETING,
  MICRO_SUGGESTION: DutyCategory.WORK_SUGGESTION,
};

export interface CategoryRule { points: number; cap: number }
export interface ChecklistItem { key: string; label: string; category: DutyCategory; count: number }
export interface ScoringRules { name: string; categories: Record<DutyCategory, CategoryRule>; checklist: ChecklistItem[] }

/** Used where a committee's tenants/ file configures nothing: a points table per category and a ten-item checklist (十个一). */
export const DEFAULT_RULES: ScoringRules = {
  name: '委员履职积分（默认）',
  categories: {
    PROPOSAL: { points: 10, cap: 30 },
    OPINION: { points: 8, cap: 32 },
    RESEARCH: { points: 8, cap: 24 },
    SUPERVISION: { points: 6, cap: 18 },
    CONSULTATION: { points: 6, cap: 18 },
    DELIBERATION: { points: 5, cap: 15 },
    MEETING: { points: 5, cap: 30 },
    READING: { points: 5, cap: 10 },
    SECTOR_VISIT: { points: 5, cap: 15 },
    PUBLIC_WELFARE: { points: 5, cap: 15 },
    GRASSROOTS_CONTACT: { points: 5, cap: 15 },
    WORK_SUGGESTION: { points: 5, cap: 15 },
  },
  checklist: [
    { key: 'proposal', label: '提交一件提案', category: DutyCategory.PROPOSAL, count: 1 },
    { key: 'opinion', label: '反映一条社情民意', category: DutyCategory.OPINION, count: 1 },
    { key: 'research', label: '参加一次调研视察', category: DutyCategory.RESEARCH, count: 1 },
    { key: 'consultation', label: '参加一次协商发言', category: DutyCategory.CONSULTATION, count: 1 },
    { key: 'deliberation', label: '参加一次网络议政', category: DutyCategory.DELIBERATION, count: 1 },
    { key: 'reading', label: '参加一次读书活动', category: DutyCategory.READING, count: 1 },
    { key: 'sector', label: '参加一次界别活动', category: DutyCategory.SECTOR_VISIT, count: 1 },
    { key: 'welfare', label: '参与一次公益活动', category: DutyCategory.PUBLIC_WELFARE, count: 1 },
    { key: 'contact', label: '联系一个村（社区）', category: DutyCategory.GRASSROOTS_CONTACT, count: 1 },
    { key: 'suggestion', label: '提出一条工作建议', category: DutyCategory.WORK_SUGGESTION, count: 1 },
  ],
};

const isCategory = (c: unknown): c is DutyCategory => typeof c === 'string' && c in DutyCategory;
const nonNegInt = (n: unknown, d: number) => (typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 1000 ? n : d);

/**
 * The committee's rules from `tenant.config.performance` (its tenants/ file `settings`), falling back to
 * the default per category; a checklist given replaces the default one. Entries that do not fit are ignored.
 */
export function rulesFrom(config: unknown): ScoringRules {
  const p = (config as { performance?: Record<string, unknown> } | null)?.performance;
  if (!p || typeof p !== 'object') return DEFAULT_RULES;
  const categories = { ...DEFAULT_RULES.categories };
  const given = (p.categories ?? {}) as Record<string, Partial<CategoryRule>>;
  for (const [k, v] of Object.entries(given)) {
    if (isCategory(k) && v && typeof v === 'object') categories[k] = { points: nonNegInt(v.points, categories[k].points), cap: nonNegInt(v.cap, categories[k].cap) };
  }
  const list = Array.isArray(p.checklist)
    ? (p.checklist as Partial<ChecklistItem>[])
        .filter((i) => i && isCategory(i.category) && typeof i.label === 'string')
        .map((i, n) => ({ key: typeof i.key === 'string' ? i.key : `item${n + 1}`, label: i.label!, category: i.category!, count: nonNegInt(i.count, 1) || 1 }))
    : DEFAULT_RULES.checklist;
  return { name: typeof p.name === 'string' ? p.name : DEFAULT_RULES.name, categories, checklist: list };
}

/** Score: per category, points × verified records, capped; summed. */
export function score(rules: ScoringRules, counts: Partial<Record<DutyCategory, number>>): number {
  let total = 0;
  for (const [c, rule] of Object.entries(rules.categories) as [DutyCategory, CategoryRule][]) {
    total += Math.min(rule.cap, rule.points * (counts[c] ?? 0));
  }
  return total;
}

export function checklist(rules: ScoringRules, counts: Partial<Record<DutyCategory, number>>) {
  return rules.checklist.map((i) => ({ ...i, done: Math.min(i.count, counts[i.category] ?? 0), complete: (counts[i.category] ?? 0) >= i.count }));
}
