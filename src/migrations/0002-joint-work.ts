import { Migration } from '@mikro-orm/migrations';
import { OWNED, STAMPS, tenantPolicies } from './sql.js';

/**
 * Joint work: joint research (联合调研), consultation plans and topics (协商计划、议题) with two-way selection,
 * suggestions and their closed loop, and the state-change history of all of them.
 *
 * Cross-committee visibility goes through joint_membership, an access index with one row per committee that
 * may see a joint item (MEMBER: an accepted participant; VIEW: a parent a topic was recommended to). Its own
 * policy refers to no other table, so item policies can consult it without recursion. Invitations live in
 * joint_participant and are visible to the invitee and the owner (and to fellow members of the item).
 */
export class Migration0002JointWork extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
-- Ancestors of the acting committee (its province and city, not itself).
create function app_ancestor_ids() returns uuid[] language sql stable parallel safe as
  $$ select coalesce((select array_remove(array_remove(array[province_id, city_id], id), null) from tenant where id = app_tenant()), '{}') $$;

create table joint_membership (
  ${OWNED},
  item_type varchar(32) not null,
  item_id uuid not null,
  owner_tenant_id uuid not null references tenant (id),
  access varchar(16) not null check (access in ('MEMBER', 'VIEW')),
  ${STAMPS},
  unique (item_id, tenant_id)
);
create index joint_membership_tenant_idx on joint_membership (tenant_id, item_type);

create function app_member_of(item uuid) returns boolean language sql stable parallel safe as
  $$ select exists (select 1 from joint_membership m where m.item_id = item and m.tenant_id = app_tenant() and m.access = 'MEMBER') $$;
create function app_can_view(item uuid) returns boolean language sql stable parallel safe as
  $$ select exists (select 1 from joint_membership m where m.item_id = item and m.tenant_id = app_tenant()) $$;

create table joint_participant (
  ${OWNED},
  item_type varchar(32) not null check (item_type in ('ResearchProject', 'ConsultationTopic')),
  item_id uuid not null,
  owner_tenant_id uuid not null references tenant (id),
  kind varchar(16) not null check (kind in ('INVITATION', 'TAKE_UP', 'RECOMMENDATION')),
  status varchar(16) not null check (status in ('PENDING', 'ACCEPTED', 'DECLINED', 'WITHDRAWN')),
  title varchar(200) not null,
  message text,
  respond_by date,
  reason text,
  responded_at timestamptz,
  ${STAMPS},
  unique (item_id, tenant_id, kind)
);
create index joint_participant_item_idx on joint_participant (item_id);
create index joint_participant_tenant_idx on joint_participant (tenant_id, status);

create table research_project (
  ${OWNED},
  title varchar(200) not null,
  background text not null,
  goals text not null,
  start_date date not null,
  end_date date not null,
  status varchar(16) not null,
  combined_report text,
  review_body varchar(64),
  reviewed_on date,
  submitted_to varchar(128),
  submitted_at timestamptz,
  ${STAMPS}
);
create index research_project_tenant_idx on research_project (tenant_id, id);

create table research_team_member (
  ${OWNED},
  project_id uuid not null references research_project (id) deferrable initially deferred,
  owner_tenant_id uuid not null references tenant (id),
  user_id uuid not null references app_user (id) deferrable initially deferred,
  display_name varchar(64) not null,
  user_role varchar(16) not null,
  team_role varchar(32) not null,
  ${STAMPS},
  unique (project_id, user_id)
);
create index research_team_member_project_idx on research_team_member (project_id, tenant_id);

create table research_contribution (
  ${OWNED},
  project_id uuid not null references research_project (id) deferrable initially deferred,
  owner_tenant_id uuid not null references tenant (id),
  title varchar(200) not null,
  body text not null,
  findings text,
  figures jsonb not null default '[]'::jsonb,
  submitted_by_name varchar(64) not null,
  ${STAMPS}
);
create index research_contribution_project_idx on research_contribution (project_id, tenant_id);

create table research_outcome (
  ${OWNED},
  project_id uuid not null references research_project (id) deferrable initially deferred,
  kind varchar(24) not null check (kind in ('INSTRUCTION', 'ADOPTED_SUGGESTION')),
  author varchar(128),
  text text not null,
  occurred_on date not null,
  ${STAMPS}
);
create index research_outcome_project_idx on research_outcome (project_id);

create table consultation_plan (
  ${OWNED},
  year smallint not null,
  title varchar(200) not null,
  status varchar(16) not null check (status in ('DRAFT', 'PUBLISHED')),
  published_at timestamptz,
  ${STAMPS},
  unique (tenant_id, year)
);

create table consultation_topic (
  ${OWNED},
  plan_id uuid not null references consultation_plan (id) deferrable initially deferred,
  plan_published boolean not null default false,
  year smallint not null,
  title varchar(200) not null,
  description text not null,
  source varchar(24) not null check (source in ('PARTY_GOVERNMENT', 'MEMBER', 'CPPCC', 'PUBLIC')),
  form varchar(24) not null check (form in ('THEMATIC', 'COUNTERPART', 'SECTOR', 'PROPOSAL_HANDLING', 'NETWORK', 'REMOTE')),
  stage varchar(16) not null,
  origin_topic_id uuid,
  ${STAMPS}
);
create index consultation_topic_tenant_idx on consultation_topic (tenant_id, year, id);
create index consultation_topic_plan_idx on consultation_topic (plan_id);

create table consultation_suggestion (
  ${OWNED},
  topic_id uuid not null references consultation_topic (id) deferrable initially deferred,
  number integer not null,
  content text not null,
  proposed_by_name varchar(64),
  status varchar(16) not null check (status in ('DRAFT', 'ASSIGNED', 'ADOPTED', 'PARTLY_ADOPTED', 'NOT_ADOPTED')),
  department_user_id uuid references app_user (id) deferrable initially deferred,
  department_unit varchar(128),
  assigned_at timestamptz,
  deadline timestamptz,
  feedback text,
  outcome_reason text,
  feedback_at timestamptz,
  ${STAMPS},
  unique (topic_id, number)
);
create index consultation_suggestion_overdue_idx on consultation_suggestion (tenant_id, status, deadline);
create index consultation_suggestion_department_idx on consultation_suggestion (department_user_id);

create table topic_recommendation (
  ${OWNED},
  user_id uuid not null references app_user (id) deferrable initially deferred,
  member_name varchar(64) not null,
  year smallint not null,
  title varchar(200) not null,
  reason text not null,
  form varchar(24) not null,
  status varchar(16) not null check (status in ('PENDING', 'ACCEPTED', 'DECLINED')),
  decline_reason text,
  topic_id uuid,
  ${STAMPS}
);
create index topic_recommendation_tenant_idx on topic_recommendation (tenant_id, status, id);

create table state_change (
  ${OWNED},
  owner_tenant_id uuid not null references tenant (id),
  subject_tenant_id uuid references tenant (id),
  item_type varchar(32) not null,
  item_id uuid not null,
  joint_item_id uuid not null,
  from_state varchar(24),
  to_state varchar(24) not null,
  actor_user_id uuid not null,
  actor_name varchar(64) not null,
  comment text,
  at timestamptz not null,
  ${STAMPS}
);
create index state_change_item_idx on state_change (item_id, id);
`);
    // Row-level security for every table above.
    const own = 'tenant_id = app_tenant()';
    const policies: Record<string, { select: string; insert?: string; update?: string; delete?: string }> = {
      joint_membership: { select: `${own} or owner_tenant_id = app_tenant()`, insert: `${own} or owner_tenant_id = app_tenant()`, update: own, delete: `${own} or owner_tenant_id = app_tenant()` },
      joint_participant: { select: `${own} or owner_tenant_id = app_tenant() or app_member_of(item_id)`, insert: `${own} or owner_tenant_id = app_tenant()`, update: `${own} or owner_tenant_id = app_tenant()`, delete: 'owner_tenant_id = app_tenant()' },
      research_project: { select: `${own} or app_member_of(id)` },
      research_team_member: { select: `${own} or owner_tenant_id = app_tenant()` },
      research_contribution: { select: `${own} or owner_tenant_id = app_tenant()` },
      research_outcome: { select: `${own} or app_member_of(project_id)` },
      consultation_plan: { select: `${own} or (status = 'PUBLISHED' and tenant_id = any (app_ancestor_ids()))` },
      consultation_topic: { select: `${own} or app_can_view(id) or (plan_published and tenant_id = any (app_ancestor_ids()))` },
      consultation_suggestion: { select: `${own} or app_member_of(topic_id)` },
      topic_recommendation: { select: own },
      state_change: { select: `${own} or owner_tenant_id = app_tenant() or subject_tenant_id = app_tenant() or app_member_of(joint_item_id)` },
    };
    for (const [table, p] of Object.entries(policies)) {
      this.addSql(tenantPolicies(table, p));
    }
    this.addSql(`grant execute on function app_ancestor_ids(), app_member_of(uuid), app_can_view(uuid) to cppcc_app;`);
  }
}
