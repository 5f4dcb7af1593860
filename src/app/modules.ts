import type { ModuleManifest } from '../core/module.js';
import { tenantModule } from '../modules/tenant/index.js';
import { memberModule } from '../modules/member/index.js';
import { historyModule } from '../modules/history/index.js';
import { jointModule } from '../modules/joint/index.js';
import { jointWorkModule } from '../modules/joint-work/index.js';
import { researchModule } from '../modules/research/index.js';
import { topicModule } from '../modules/topic/index.js';
import { deliberationModule } from '../modules/deliberation/index.js';
import { proposalModule } from '../modules/proposal/index.js';
import { opinionModule } from '../modules/opinion/index.js';
import { performanceModule } from '../modules/performance/index.js';
import { statisticsModule } from '../modules/statistics/index.js';
import { accountModule } from '../modules/account/index.js';
import { unitModule } from '../modules/unit/index.js';
import { meetingModule } from '../modules/meeting/index.js';
import { supervisionModule } from '../modules/supervision/index.js';
import { microModule } from '../modules/micro/index.js';
import { publicNeedModule } from '../modules/public-need/index.js';
import { searchModule } from '../modules/search/index.js';
import { attachmentModule } from '../modules/attachment/index.js';
import { notificationModule } from '../modules/notification/index.js';

/** Every feature of the application: the one place that names them all. Order is the schema's order. */
export const modules: readonly ModuleManifest[] = [
  tenantModule,
  memberModule,
  historyModule,
  unitModule,
  jointModule,
  jointWorkModule,
  researchModule,
  topicModule,
  deliberationModule,
  proposalModule,
  opinionModule,
  performanceModule,
  statisticsModule,
  accountModule,
  meetingModule,
  supervisionModule,
  microModule,
  publicNeedModule,
  searchModule,
  attachmentModule,
  notificationModule,
];
