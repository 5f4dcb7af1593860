import { Migration } from '@mikro-orm/migrations';
import { OWNED, STAMPS, tenantPolicies } from './sql.js';

/**
 * Meetings and activities (会议活动) with attendance.
 *
 * A meeting is owned by the committee that holds it and lists every committee taking part in
 * `participant_ids` (the host first), like a deliberation session: all of them read the meeting. Each of
 * them has a venue (会场), owned by that committee: its own attendance is counted on the venue row, which the
 * host reads too (figures only). Invitations, answers, leave and check-in (meeting_attendance) and the
 * notices (meeting_notice) belong to the committee of the member's seat and are seen by it alone.
 *
 * Only the host writes venues, and only for a meeting of its own that lists the venue's committee; after
 * that, each venue's committee keeps its own figures. A venue keeps the secret its check-in codes are signed
 * with; no policy opens it beyond the two committees, and no GraphQL field shows it.
 */
export class Migration0060Meetings extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
create table meeting (
  ${OWNED},
  participant_ids uuid[] not null,
  kind varchar(24) not null check (kind in ('PLENARY', 'STANDING_COMMITTEE', 'CHAIRS', 'THEMATIC_CONSULTATION', 'SECTOR_ACTIVITY', 'MEMBERS_HOME', 'INSPECTION')),
  title varchar(200) not null,
  location varchar(200) not null,
  remote boolean not null default false,
  starts_at timestamptz not null,
  ends_at timestamptz not null,
  scheduled_by uuid not null,
  ${STAMPS},
  check (ends_at > starts_at),
  check (tenant_id = participant_ids[1])
);
create index meeting_tenant_idx on meeting (tenant_id, starts_at);
create index meeting_participants_idx on meeting using gin (participant_ids);

create table meeting_venue (
  ${OWNED},
  meeting_id uuid not null references meeting (id) deferrable initially deferred,
  host_tenant_id uuid not null references tenant (id),
  location varchar(200) not null,
  checkin_secret varchar(64) not null,
  invited integer not null default 0,
  confirmed integer not null default 0,
  leave_requested integer not null default 0,
  on_leave integer not null default 0,
  present integer not null default 0,
  notice_sent_at timestamptz,
  ${STAMPS},
  unique (meeting_id, tenant_id)
);
create index meeting_venue_host_idx on meeting_venue (host_tenant_id);

create table meeting_attendance (
  ${OWNED},
  meeting_id uuid not null references meeting (id) deferrable initially deferred,
  venue_id uuid not null references meeting_venue (id) deferrable initially deferred,
  seat_id uuid not null references member_seat (id) deferrable initially deferred,
  user_id uuid not null references app_user (id) deferrable initially deferred,
  status varchar(16) not null check (status in ('INVITED', 'CONFIRMED', 'LEAVE_REQUESTED', 'ON_LEAVE', 'CHECKED_IN')),
  answered_at timestamptz,
  leave_reason varchar(500),
  leave_decided_at timestamptz,
  leave_decided_by uuid,
  leave_note varchar(500),
  checked_in_at timestamptz,
  checkin_method varchar(8) check (checkin_method in ('CODE', 'STAFF')),
  checked_in_by uuid,
  ${STAMPS},
  unique (venue_id, seat_id)
);
create index meeting_attendance_user_idx on meeting_attendance (user_id, tenant_id);

create table meeting_notice (
  ${OWNED},
  meeting_id uuid not null references meeting (id) deferrable initially deferred,
  attendance_id uuid not null references meeting_attendance (id) deferrable initially deferred,
  user_id uuid not null references app_user (id) deferrable initially deferred,
  body text not null,
  sent_at timestamptz not null,
  read_at timestamptz,
  ${STAMPS},
  unique (attendance_id)
);
create index meeting_notice_user_idx on meeting_notice (user_id, tenant_id);
`);
    const hostOrParticipant = 'tenant_id = app_tenant() or app_tenant() = any (participant_ids)';
    this.addSql(tenantPolicies('meeting', { select: hostOrParticipant }));
    this.addSql(
      tenantPolicies('meeting_venue', {
        select: 'tenant_id = app_tenant() or host_tenant_id = app_tenant()',
        insert:
          'host_tenant_id = app_tenant() and exists (select 1 from meeting m where m.id = meeting_id and m.tenant_id = app_tenant() and meeting_venue.tenant_id = any (m.participant_ids))',
        delete: 'host_tenant_id = app_tenant()',
      }),
    );
    this.addSql(tenantPolicies('meeting_attendance'));
    this.addSql(tenantPolicies('meeting_notice'));
  }
}
