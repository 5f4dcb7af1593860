import { Migration0001Foundation } from './0001-foundation.js';
import { Migration0002JointWork } from './0002-joint-work.js';
import { Migration0003RecordsStatistics } from './0003-records-statistics.js';
import { Migration0004Deliberation } from './0004-deliberation.js';
import { Migration0005DeliberationCommitNumbering } from './0005-deliberation-commit-numbering.js';
import { Migration0006DeliberationLookups } from './0006-deliberation-lookups.js';
import { Migration0007DeliberationDurableReads } from './0007-deliberation-durable-reads.js';
import { Migration0008ScopedDefinerFunctions } from './0008-scoped-definer-functions.js';
import { Migration0010FiguresAndRecords } from './0010-figures-and-records.js';
import { Migration0011Accounts } from './0011-accounts.js';
import { Migration0012StatisticsUnderForce } from './0012-statistics-under-force.js';
import { Migration0013SigningKeys } from './0013-signing-keys.js';
import { Migration0014InsertPoliciesNameRealItems } from './0014-insert-policies-name-real-items.js';
import { Migration0020OidcLinks } from './0020-oidc-links.js';
import { Migration0030JobsNotifications } from './0030-jobs-notifications.js';
import { Migration0040HandlingUnits } from './0040-handling-units.js';
import { Migration0041DeadlineMoves } from './0041-deadline-moves.js';
import { Migration0045EditsDraftsVerification } from './0045-edits-drafts-verification.js';
import { Migration0060Meetings } from './0060-meetings.js';
import { Migration0061Supervision } from './0061-supervision.js';
import { Migration0070MicroSuggestionsPublicNeeds } from './0070-micro-suggestions-public-needs.js';
import { Migration0071Attachments } from './0071-attachments.js';

/** Checked-in migrations, in order. Names are permanent: they are recorded in mikro_orm_migrations. */
export const migrationsList = [
  { name: '0001-foundation', class: Migration0001Foundation },
  { name: '0002-joint-work', class: Migration0002JointWork },
  { name: '0003-records-statistics', class: Migration0003RecordsStatistics },
  { name: '0004-deliberation', class: Migration0004Deliberation },
  { name: '0005-deliberation-commit-numbering', class: Migration0005DeliberationCommitNumbering },
  { name: '0006-deliberation-lookups', class: Migration0006DeliberationLookups },
  { name: '0007-deliberation-durable-reads', class: Migration0007DeliberationDurableReads },
  { name: '0008-scoped-definer-functions', class: Migration0008ScopedDefinerFunctions },
  { name: '0010-figures-and-records', class: Migration0010FiguresAndRecords },
  { name: '0011-accounts', class: Migration0011Accounts },
  { name: '0012-statistics-under-force', class: Migration0012StatisticsUnderForce },
  { name: '0013-signing-keys', class: Migration0013SigningKeys },
  { name: '0014-insert-policies-name-real-items', class: Migration0014InsertPoliciesNameRealItems },
  { name: '0020-oidc-links', class: Migration0020OidcLinks },
  { name: '0030-jobs-notifications', class: Migration0030JobsNotifications },
  { name: '0040-handling-units', class: Migration0040HandlingUnits },
  { name: '0041-deadline-moves', class: Migration0041DeadlineMoves },
  { name: '0045-edits-drafts-verification', class: Migration0045EditsDraftsVerification },
  { name: '0060-meetings', class: Migration0060Meetings },
  { name: '0061-supervision', class: Migration0061Supervision },
  { name: '0070-micro-suggestions-public-needs', class: Migration0070MicroSuggestionsPublicNeeds },
  { name: '0071-attachments', class: Migration0071Attachments },
];
