import { Migration } from '@mikro-orm/migrations';

/**
 * A deadline that moves before it passes moves its overdue figure with it. `stat_move_deadline` sets the new
 * due date of a deadline of the acting committee (checked, like stat_track_deadline) that has not been counted
 * overdue, and opens it again if it was settled: an extension granted (延期) moves an open deadline; an item
 * given back (改办) settles its deadline before it passes, and its new assignment opens it at the new date.
 * The services allow neither move once the deadline has passed, so a deadline counted overdue never moves:
 * the item was overdue in that month, as its record says.
 */
export class Migration0041DeadlineMoves extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
create function stat_move_deadline(p_item text, p_due timestamptz) returns boolean
language plpgsql security definer set search_path = public as $$
declare v_tenant uuid; v_moved integer;
begin
  if app_tenant() is null then raise exception 'statistics: no acting committee' using errcode = 'insufficient_privilege'; end if;
  select tenant_id into v_tenant from stat_deadline where item_key = p_item for update;
  if found and v_tenant is distinct from app_tenant() then
    raise exception 'statistics: the acting committee may not move deadline %', p_item using errcode = 'insufficient_privilege';
  end if;
  update stat_deadline set due_at = p_due, settled_at = null where item_key = p_item and not counted;
  get diagnostics v_moved = row_count;
  return v_moved > 0;
end $$;
revoke all on function stat_move_deadline(text, timestamptz) from public;
grant execute on function stat_move_deadline(text, timestamptz) to cppcc_app;
`);
  }
}
