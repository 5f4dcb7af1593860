import { Migration } from '@mikro-orm/migrations';

/**
 * Records are kept and figures are right (issue 13).
 *
 * - Member seats end, with a date and a reason (离任日期、离任原因); a seat something refers to cannot be
 *   deleted any more: its archives used to go with it (`on delete cascade`) while the roll-up kept counting
 *   them. `restrict` is checked at once, even on a deferrable constraint, so the delete itself fails.
 * - An account is visible to every committee where it holds a seat (ended or not), not only to its home:
 *   a city's roster names its members whose home is a county (app_seat_holder, also the ORM rule).
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

create function app_seat_holder(p_user uuid) returns boolean language sql stable parallel safe as
  $$ select exists (select 1 from member_seat s where s.user_id = p_user and s.tenant_id = app_tenant()) $$;
grant execute on function app_seat_holder(uuid) to cppcc_app;
drop policy app_user_select on app_user;
create policy app_user_select on app_user for select using (tenant_id = app_tenant() or id = app_user_id() or app_seat_holder(id));
`);
  }
}
