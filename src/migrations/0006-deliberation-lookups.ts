import { Migration } from '@mikro-orm/migrations';

/**
 * Lookups that a live session makes on every write stay one index step however long the session runs:
 *
 * - whether a user is in the session now (their last JOINED or LEFT), read before every message;
 * - the raised hands and granted floors, read when a hand is raised or the floor is granted.
 *
 * Without them both scanned the session's events from the newest back, so every message cost more than the
 * one before it.
 */
export class Migration0006DeliberationLookups extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
create index deliberation_event_attendance_idx on deliberation_event (session_id, actor_id, seq)
  where kind in ('JOINED', 'LEFT');
create index deliberation_event_floor_idx on deliberation_event (session_id, kind, seq)
  where kind in ('HAND_RAISED', 'FLOOR_GRANTED');
`);
  }
}
