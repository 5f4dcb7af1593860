import { NodeEntity } from './node.js';
import { TenantOwned } from './tenant-owned.js';
import { Tenant } from '../modules/tenant/tenant.entity.js';
import { User } from '../modules/member/user.entity.js';
import { MemberSeat } from '../modules/member/member-seat.entity.js';
import { Proposal } from '../modules/proposal/proposal.entity.js';
import { Opinion, OpinionLevel } from '../modules/opinion/opinion.entity.js';
import { DutyArchive, DutyRecord } from '../modules/performance/performance.entity.js';

/** Every entity the ORM knows; discovery is explicit so nothing depends on file globbing. */
export const entities = [NodeEntity, TenantOwned, Tenant, User, MemberSeat, Proposal, Opinion, OpinionLevel, DutyArchive, DutyRecord];
