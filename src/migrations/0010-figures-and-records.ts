import { Migration } from '@mikro-orm/migrations';

/**
 * Records are kept and figures are right (issue 13).
 *
 * - Member seats end, with a date and a reason (离任日期、离任原因); a seat something refers to cannot be
 *   deleted any more: its archives used to go with it (`on delete cascade`) while the roll-up kept counting
 *   them. `restrict` is checked at once, even on a deferrable constraint, so the delete itself fails.
 */
export class Migration0010FiguresAndRecords extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
alter table member_seat add column ended_on date, add column end_reason varchar(500);
-- Seats ended before ending had a date: the day they last changed (China time).
update member_seat set ended_on = (updated_at at time zone 'Asia/Shanghai')::date where status = 'ENDED';

alter table duty_archive drop constraint duty_archive_seat_id_fkey;
alter table duty_archive add constraint duty_archive_seat_id_fkey
  foreign key (seat_id) references member_seat (id) on delete restrict deferrable initially deferred;
`);
  }
}
