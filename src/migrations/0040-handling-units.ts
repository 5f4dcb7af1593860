import { Migration } from '@mikro-orm/migrations';
import { OWNED, STAMPS, tenantPolicies } from './sql.js';

/**
 * Handling units and their daily moves (承办单位, 改办, 延期, 代录).
 *
 * - `handling_unit`: a committee's directory of handling units. A DEPARTMENT account belongs to one unit
 *   (`app_user.unit_id`, with its duty there: 经办人 HANDLER or 负责人 HEAD). The account's `unit_name` stays the
 *   way an account names its unit: a trigger links the account to the unit of that name in its committee,
 *   making the unit when it is new, so every writer of accounts (the API, roster imports, seeds) links alike.
 *   Existing units are made from the existing unit names (a DEPARTMENT account without one: its own name).
 * - Proposals and suggestions are assigned to units (`lead_unit_id`, `co_unit_ids`, `unit_id`), replacing the
 *   single accounts they named; every account of the unit sees and acts on them.
 * - A reply or feedback the office enters for a unit keeps who entered it (`*_entered_by`).
 * - `deadline_extension`: a unit's request to move a deadline (延期), granted or refused by the office; at
 *   most one pending per item.
 * - Proposal case numbers (案号): per committee, term (届) and session (次), gap-free in filing order.
 *   `proposal_case_counter` holds the last number per committee, term and session; a filing takes the next one
 *   with `insert … on conflict do update … returning`, whose row lock serialises concurrent filings until
 *   their transactions end, and a filing that rolls back takes its number back with it.
 * - `state_change.move`: what a change was when its states alone do not say it (RETURNED, EXTENSION_*,
 *   ENTERED_FOR_UNIT).
 */
export class Migration0040HandlingUnits extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
create table handling_unit (
  ${OWNED},
  name varchar(128) not null,
  ${STAMPS},
  unique (tenant_id, name)
);
${tenantPolicies('handling_unit', { delete: 'false' })}

alter table app_user
  add column unit_id uuid references handling_unit (id) deferrable initially deferred,
  add column unit_duty varchar(16) check (unit_duty in ('HANDLER', 'HEAD'));
create index app_user_unit_idx on app_user (unit_id) where unit_id is not null;

-- Runs as the writer, under its row-level security: the unit is made in the account's own committee.
create function app_user_link_unit() returns trigger language plpgsql set search_path = public as $$
begin
  if new.role <> 'DEPARTMENT' then
    new.unit_id := null;
    new.unit_duty := null;
    return new;
  end if;
  new.unit_name := coalesce(new.unit_name, new.display_name);
  insert into handling_unit (id, tenant_id, province_id, city_id, name)
    values (app_uuid7(now()), new.tenant_id, new.province_id, new.city_id, new.unit_name)
    on conflict (tenant_id, name) do nothing;
  select u.id into new.unit_id from handling_unit u where u.tenant_id = new.tenant_id and u.name = new.unit_name;
  if new.unit_id is null then raise exception 'handling unit % is not visible to its writer', new.unit_name; end if;
  new.unit_duty := coalesce(new.unit_duty, 'HANDLER');
  return new;
end $$;
create trigger app_user_link_unit before insert or update of unit_name, role, tenant_id on app_user
  for each row execute function app_user_link_unit();

alter table proposal
  add column lead_unit_id uuid references handling_unit (id) deferrable initially deferred,
  add column co_unit_ids uuid[] not null default '{}',
  add column reply_entered_by uuid references app_user (id) deferrable initially deferred,
  add column term smallint check (term between 1 and 99),
  add column session smallint check (session between 1 and 99),
  add column case_seq integer check (case_seq > 0),
  add constraint proposal_case_unique unique (tenant_id, term, session, case_seq),
  add constraint proposal_case_whole check ((term is null) = (case_seq is null) and (session is null) = (case_seq is null));
create index proposal_lead_unit_idx on proposal (lead_unit_id) where lead_unit_id is not null;

alter table consultation_suggestion
  add column unit_id uuid references handling_unit (id) deferrable initially deferred,
  add column feedback_entered_by uuid references app_user (id) deferrable initially deferred;
create index consultation_suggestion_unit_idx on consultation_suggestion (unit_id) where unit_id is not null;

create table proposal_case_counter (
  ${OWNED},
  term smallint not null,
  session smallint not null,
  last_seq integer not null,
  ${STAMPS},
  unique (tenant_id, term, session)
);
${tenantPolicies('proposal_case_counter', { delete: 'false' })}

create table deadline_extension (
  ${OWNED},
  item_type varchar(32) not null check (item_type in ('Proposal', 'ConsultationSuggestion')),
  item_id uuid not null,
  unit_id uuid not null references handling_unit (id) deferrable initially deferred,
  previous_deadline timestamptz not null,
  requested_until timestamptz not null,
  reason text not null,
  status varchar(16) not null check (status in ('PENDING', 'GRANTED', 'REFUSED')),
  requested_by uuid not null references app_user (id) deferrable initially deferred,
  requested_at timestamptz not null,
  decided_by uuid references app_user (id) deferrable initially deferred,
  decided_at timestamptz,
  decision_note text,
  ${STAMPS},
  check (requested_until > previous_deadline)
);
create index deadline_extension_item_idx on deadline_extension (item_id, id);
create unique index deadline_extension_pending_idx on deadline_extension (item_id) where status = 'PENDING';
${tenantPolicies('deadline_extension', { delete: 'false' })}

alter table state_change add column move varchar(32);

-- Units, case counters and extension requests are kept (items and their history name them): said as
-- privileges, like accounts in 0011.
revoke delete on handling_unit, proposal_case_counter, deadline_extension from cppcc_app;

-- Existing data, across committees: the owner may not be a superuser, so FORCE is lifted for the backfill.
alter table app_user no force row level security;
alter table handling_unit no force row level security;
alter table proposal no force row level security;
alter table consultation_suggestion no force row level security;
update app_user set unit_name = unit_name where role = 'DEPARTMENT';
update proposal p set lead_unit_id = (select u.unit_id from app_user u where u.id = p.lead_department_id),
  co_unit_ids = coalesce((select array_agg(distinct u.unit_id) from app_user u where u.id = any (p.co_department_ids) and u.unit_id is not null), '{}');
update proposal p set co_unit_ids = array_remove(co_unit_ids, lead_unit_id) where lead_unit_id = any (co_unit_ids);
update consultation_suggestion s set unit_id = (select u.unit_id from app_user u where u.id = s.department_user_id)
 where s.department_user_id is not null;
alter table app_user force row level security;
alter table handling_unit force row level security;
alter table proposal force row level security;
alter table consultation_suggestion force row level security;

alter table proposal drop column lead_department_id, drop column co_department_ids;
alter table consultation_suggestion drop column department_user_id;
`);
  }
}
