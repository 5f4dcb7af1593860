import { Migration } from '@mikro-orm/migrations';

/**
 * A meeting can be cancelled (取消) or moved (改期) by its host. `status` says whether it still takes place;
 * a cancelled meeting keeps when and by whom and why. A moved meeting keeps when it was last moved and the
 * start it had before. The host alone writes these (the update policy of migration 0060: the meeting's own
 * committee); every venue reads them through the meeting, so a remote meeting's venues follow the host.
 */
export class Migration0095MeetingCancelReschedule extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
alter table meeting
  add column status varchar(16) not null default 'SCHEDULED' check (status in ('SCHEDULED', 'CANCELLED')),
  add column cancelled_at timestamptz,
  add column cancelled_by uuid,
  add column cancel_reason varchar(500),
  add column rescheduled_at timestamptz,
  add column previous_starts_at timestamptz,
  add constraint meeting_cancelled_check check ((status = 'CANCELLED') = (cancelled_at is not null));
`);
  }
}
