import { Migration } from '@mikro-orm/migrations';

/**
 * Insert policies that checked only the new row's own committee columns let a committee write a row naming
 * itself that opened another committee's item to it (found by tests/integration/rls-shared.test.ts):
 *
 * - a joint_membership (or joint_participant) of its own on a project or topic it was never invited to;
 * - a level (opinion_route) of a report it never received;
 * - a deliberation event in a session it does not take part in, which the participants then read.
 *
 * Each policy now checks the row against the item it names, as far as the writer can see it: the owner of a
 * project, topic or report is looked up by a security-definer function, which under FORCE (an owner that is
 * not a superuser) still sees only what the writer sees, so an item the writer cannot see names no owner and
 * the row is refused; an invitee's own membership needs its own participation (created by the owner), never
 * a look at the item. Services write an item before the rows that name it. Participations keep the item, owner and kind they were
 * created with (their committee is held by the update policy): only the owner or the invitee's answer changes them, never what they point at.
 */
export class Migration0014InsertPoliciesNameRealItems extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
create function app_joint_item_owner(p_item uuid) returns uuid language sql stable security definer set search_path = public as $$
  select tenant_id from research_project where id = p_item
  union all
  select tenant_id from consultation_topic where id = p_item
  limit 1
$$;

-- A topic of an ancestor's published plan, which a descendant may take up by itself (承接).
create function app_takeable_topic(p_item uuid, p_owner uuid) returns boolean language sql stable security definer set search_path = public as $$
  select exists (select 1 from consultation_topic where id = p_item and tenant_id = p_owner and plan_published and p_owner = any (app_ancestor_ids()))
$$;

-- The owner of the report a level belongs to, and the committee a level may be forwarded to (the parent).
create function app_opinion_owner(p_opinion uuid) returns uuid language sql stable security definer set search_path = public as $$
  select tenant_id from opinion where id = p_opinion
$$;

grant execute on function app_joint_item_owner(uuid), app_takeable_topic(uuid, uuid), app_opinion_owner(uuid) to cppcc_app;

alter policy joint_participant_insert on joint_participant with check (
  (owner_tenant_id = app_tenant() and app_joint_item_owner(item_id) = app_tenant())
  or (tenant_id = app_tenant() and kind = 'TAKE_UP' and app_takeable_topic(item_id, owner_tenant_id))
);

alter policy joint_membership_insert on joint_membership with check (
  (owner_tenant_id = app_tenant() and app_joint_item_owner(item_id) = app_tenant())
  or (
    tenant_id = app_tenant() and access = 'MEMBER'
    and (
      exists (select 1 from joint_participant p where p.item_id = joint_membership.item_id and p.tenant_id = app_tenant() and p.owner_tenant_id = joint_membership.owner_tenant_id)
      or app_takeable_topic(item_id, owner_tenant_id)
    )
  )
);

create function joint_participant_keep_subject() returns trigger language plpgsql as $$
begin
  if new.item_id <> old.item_id or new.item_type <> old.item_type or new.owner_tenant_id <> old.owner_tenant_id or new.kind <> old.kind then
    raise exception 'a participation keeps its item, owner and kind' using errcode = '42501';
  end if;
  return new;
end $$;
create trigger joint_participant_keep_subject before update on joint_participant
  for each row execute function joint_participant_keep_subject();

alter policy opinion_route_insert on opinion_route with check (
  origin_tenant_id = app_opinion_owner(opinion_id)
  and (
    (from_tenant_id is null and tenant_id = app_tenant() and origin_tenant_id = app_tenant())
    or (from_tenant_id = app_tenant() and opinion_reached(opinion_id) and tenant_id = (select parent_id from tenant where id = app_tenant()))
  )
);

alter policy deliberation_event_insert on deliberation_event with check (
  exists (select 1 from deliberation_session s where s.id = session_id and s.tenant_id = deliberation_event.tenant_id and s.participant_ids = deliberation_event.participant_ids)
);
alter policy deliberation_presence_insert on deliberation_presence with check (
  exists (select 1 from deliberation_session s where s.id = session_id and s.tenant_id = deliberation_presence.tenant_id and s.participant_ids = deliberation_presence.participant_ids)
);
`);
  }
}
