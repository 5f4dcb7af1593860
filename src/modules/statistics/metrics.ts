/**
 * The catalogue of figures the roll-up reports. A module that counts something adds its metric here and
 * calls the statistics API in the same transaction as the write that changes it.
 *
 * - `grain: 'month'`: the fact happens at a moment; a period sums the months it covers.
 * - `grain: 'year'`: the figure belongs to a year (a yearly archive); a period shows the years it touches.
 * - `shared: true`: an item several committees take part in (stat_record_item): counts once per ancestor.
 */
export interface MetricDef {
  key: string;
  label: string;
  grain: 'month' | 'year';
  shared?: boolean;
  /** Listed in the per-child rankings (排名). */
  ranked?: boolean;
}

export const METRICS = [
  { key: 'proposal.submitted', label: '提案提交数', grain: 'month', ranked: true },
  { key: 'proposal.filed', label: '提案立案数', grain: 'month', ranked: true },
  { key: 'proposal.filed_of_submitted', label: '立案提案数（按提交时间计）', grain: 'month' },
  { key: 'proposal.replied', label: '提案答复数', grain: 'month' },
  { key: 'proposal.replied_on_time', label: '按期答复数', grain: 'month' },
  { key: 'proposal.rated', label: '满意度测评数', grain: 'month' },
  { key: 'proposal.satisfied', label: '满意及基本满意数', grain: 'month' },
  { key: 'proposal.supervised', label: '重点督办提案数', grain: 'month' },
  { key: 'proposal.overdue', label: '逾期未答复提案数', grain: 'month' },
  { key: 'opinion.submitted', label: '社情民意信息报送数', grain: 'month', ranked: true },
  { key: 'opinion.forwarded', label: '向上报送数', grain: 'month' },
  { key: 'opinion.adopted', label: '采用数（各级合计）', grain: 'month', ranked: true },
  { key: 'opinion.adopted_of_submitted', label: '被采用信息篇数（按报送时间计，每篇一次）', grain: 'month' },
  { key: 'opinion.adopted.county', label: '县级采用数', grain: 'month' },
  { key: 'opinion.adopted.city', label: '市级采用数', grain: 'month' },
  { key: 'opinion.adopted.province', label: '省级采用数', grain: 'month' },
  { key: 'opinion.instructed', label: '获领导批示数', grain: 'month', ranked: true },
  { key: 'research.projects', label: '联合调研课题数', grain: 'month', shared: true },
  { key: 'topic.joint', label: '联动协商议题数', grain: 'month', shared: true },
  { key: 'suggestion.total', label: '协商建议数', grain: 'month' },
  { key: 'suggestion.adopted', label: '建议采纳数', grain: 'month' },
  { key: 'suggestion.adopted_of_total', label: '采纳建议数（按提出时间计）', grain: 'month' },
  { key: 'suggestion.overdue', label: '建议逾期未反馈数', grain: 'month' },
  { key: 'micro.submitted', label: '微建议提交数', grain: 'month', ranked: true },
  { key: 'micro.screened', label: '微建议甄别数', grain: 'month' },
  { key: 'micro.replied', label: '微建议答复数', grain: 'month' },
  { key: 'perf.archives', label: '履职档案数', grain: 'year' },
  { key: 'perf.score_sum', label: '履职积分合计', grain: 'year' },
  { key: 'perf.checklist_done', label: '年度清单完成人数', grain: 'year' },
  { key: 'meeting.held', label: '会议活动场次', grain: 'month', ranked: true },
  { key: 'meeting.invited', label: '应到人次（按会议时间计）', grain: 'month' },
  { key: 'meeting.attended', label: '实到人次（按会议时间计）', grain: 'month' },
  { key: 'meeting.leave', label: '请假人次（按会议时间计）', grain: 'month' },
  { key: 'supervision.tasks', label: '督查督办事项数', grain: 'month' },
  { key: 'supervision.closed', label: '督办销号数', grain: 'month' },
  { key: 'supervision.closed_on_time', label: '按期销号数', grain: 'month' },
  { key: 'supervision.overdue', label: '督办逾期未销号数', grain: 'month' },
] as const satisfies readonly MetricDef[];

export type MetricKey = (typeof METRICS)[number]['key'];
export const METRIC_BY_KEY = new Map<string, MetricDef>(METRICS.map((m) => [m.key, m]));

/**
 * Rates are recomputed from rolled-up numerators and denominators, never averaged. A rate that is a share of
 * items counts, in its numerator, items of its denominator and each once, in the month the denominator counts
 * them (a report submitted in March and adopted in May by three levels is one adopted report of March), so
 * it never exceeds 1 in any period. The counts of the facts themselves (提案立案数 by review month, 采用数 per
 * adoption and level, 建议采纳数 by feedback month) stay their own figures.
 */
export const RATES = [
  { key: 'proposal.filing_rate', label: '立案率', numerator: 'proposal.filed_of_submitted', denominator: 'proposal.submitted' },
  { key: 'proposal.on_time_rate', label: '按期答复率', numerator: 'proposal.replied_on_time', denominator: 'proposal.replied' },
  { key: 'proposal.satisfaction_rate', label: '满意率', numerator: 'proposal.satisfied', denominator: 'proposal.rated' },
  { key: 'opinion.adoption_rate', label: '采用率（本级报送信息被任一级采用的篇数占比）', numerator: 'opinion.adopted_of_submitted', denominator: 'opinion.submitted' },
  { key: 'suggestion.adoption_rate', label: '建议采纳率', numerator: 'suggestion.adopted_of_total', denominator: 'suggestion.total' },
  { key: 'perf.average_score', label: '委员平均积分', numerator: 'perf.score_sum', denominator: 'perf.archives' },
  { key: 'perf.checklist_rate', label: '年度清单完成率', numerator: 'perf.checklist_done', denominator: 'perf.archives' },
  { key: 'meeting.attendance_rate', label: '出席率', numerator: 'meeting.attended', denominator: 'meeting.invited' },
  { key: 'supervision.on_time_rate', label: '按期销号率', numerator: 'supervision.closed_on_time', denominator: 'supervision.closed' },
] as const satisfies readonly { key: string; label: string; numerator: MetricKey; denominator: MetricKey }[];
