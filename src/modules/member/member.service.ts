import { ForeignKeyConstraintViolationException, UniqueConstraintViolationException } from '@mikro-orm/core';
import { requireRole, type Context } from '../../core/context.js';
import { badInput, conflict, invalidTransition, notFound, text } from '../../core/errors.js';
import { chinaDate } from '../../core/clock.js';
import { expectGlobalId } from '../../core/global-id.js';
import { paginate, type PageArgs, type PageOrder } from '../../core/connection.js';
import { ownership } from '../../core/tenant-owned.js';
import { Role, User } from '../../core/identity/user.entity.js';
import { MemberSeat, SeatStatus } from '../../core/identity/member-seat.entity.js';
import { MemberOrderField, type AddMemberInput, type EndMemberSeatInput, type MemberFilter, type MemberOrder, type UpdateMemberInput } from './member.inputs.js';

/** Who may read a committee's roster, and who may change it. */
const ROSTER_READERS = [Role.STAFF, Role.LEADER, Role.ADMIN, Role.MEMBER];
const ROSTER_WRITERS = [Role.STAFF, Role.ADMIN];

/**
 * The roster's sort keys live beside the seat: the account's name, and the score in the seat's archive for a
 * year (the performance module's table, which stands above this one: named in SQL only, nothing imported).
 * Both are read in the seat query's own statement, under the request's RLS; a name the acting committee may
 * not see (a member seated here from another committee) sorts as empty.
 */
function rosterOrder(ctx: Context, orderBy: MemberOrder): PageOrder<MemberSeat> {
  if (orderBy.field === MemberOrderField.NAME) {
    return { name: 'name', direction: orderBy.direction, key: { type: 'string', sql: (a) => `coalesce((select u.display_name from app_user u where u.id = ${a}.user_id), '')` } };
  }
  const year = orderBy.year ?? new Date(ctx.clock.now().getTime() + 8 * 3600_000).getUTCFullYear();
  if (!Number.isInteger(year)) throw new Error('year must be an integer');
  return {
    name: `score-${year}`,
    direction: orderBy.direction,
    key: { type: 'int', sql: (a) => `coalesce((select d.score from duty_archive d where d.seat_id = ${a}.id and d.year = ${year}), 0)` },
  };
}

export async function listMembers(ctx: Context, filter: MemberFilter | undefined, page: PageArgs, orderBy?: MemberOrder) {
  requireRole(ctx, ...ROSTER_READERS);
  const where = {
    tenantId: ctx.tenant.id,
    ...(filter?.status ? { status: filter.status } : {}),
    ...(filter?.sector ? { sector: filter.sector } : {}),
  };
  return paginate(ctx.em, MemberSeat, where, page, ctx.config.maxPageSize, orderBy && rosterOrder(ctx, orderBy));
}

/** A seat the viewer may read: on the acting committee's roster, or the viewer's own seat anywhere. */
export async function readableSeat(ctx: Context, id: string): Promise<MemberSeat | null> {
  const seat = await ctx.loaders.member.seatById.load(id);
  if (!seat) return null;
  if (seat.userId === ctx.viewer.user.id) return seat;
  return seat.tenantId === ctx.tenant.id && ROSTER_READERS.includes(ctx.viewer.role) ? seat : null;
}

export async function readableUser(ctx: Context, id: string): Promise<User | null> {
  const user = await ctx.loaders.member.userById.load(id);
  if (!user) return null;
  return user.id === ctx.viewer.user.id || ROSTER_READERS.includes(ctx.viewer.role) ? user : null;
}

async function ownSeat(ctx: Context, globalId: string): Promise<MemberSeat> {
  requireRole(ctx, ...ROSTER_WRITERS);
  const id = expectGlobalId(globalId, 'MemberSeat');
  const seat = await ctx.em.findOne(MemberSeat, { id, tenantId: ctx.tenant.id });
  if (!seat) throw notFound(text('委员席位', 'Member seat'));
  return seat;
}

export async function addMember(ctx: Context, input: AddMemberInput): Promise<MemberSeat> {
  requireRole(ctx, ...ROSTER_WRITERS);
  const owner = ownership(ctx.tenant);
  const user = ctx.em.create(User, { ...owner, login: input.login, displayName: input.displayName, role: Role.MEMBER });
  const seat = ctx.em.create(MemberSeat, { ...owner, userId: user.id, sector: input.sector, title: input.title ?? null, term: input.term });
  try {
    await ctx.em.flush();
  } catch (e) {
    if (e instanceof UniqueConstraintViolationException) throw conflict(text(`登录名 ${input.login} 已被占用`, `Login ${input.login} is already taken`));
    throw e;
  }
  return seat;
}

export async function updateMember(ctx: Context, globalId: string, input: UpdateMemberInput): Promise<MemberSeat> {
  const seat = await ownSeat(ctx, globalId);
  if (input.sector !== undefined && input.sector !== null) seat.sector = input.sector;
  if (input.title !== undefined) seat.title = input.title;
  await ctx.em.flush();
  return seat;
}

/** A seat ends (委员离任) on a day, for a reason; it stays, with its archives, and acts for nothing from now on. */
export async function endSeat(ctx: Context, globalId: string, input: EndMemberSeatInput): Promise<MemberSeat> {
  const seat = await ownSeat(ctx, globalId);
  if (seat.status === SeatStatus.ENDED) throw invalidTransition(SeatStatus.ENDED, SeatStatus.ENDED, text('该委员席位的任期已经结束', 'This member seat has already ended'));
  if (input.endedOn > chinaDate(ctx.clock.now())) throw badInput(text('任期结束日期不能晚于今天', 'endedOn cannot be in the future'), { field: 'endedOn' });
  seat.status = SeatStatus.ENDED;
  seat.endedOn = input.endedOn;
  seat.endReason = input.reason.trim();
  await ctx.em.flush();
  return seat;
}

/**
 * Deletes a seat entered by mistake. A seat that anything refers to (an archive, …) is never deleted: the
 * database refuses (foreign keys `on delete restrict`), and the seat is to be ended instead.
 */
export async function removeMember(ctx: Context, globalId: string): Promise<string> {
  const seat = await ownSeat(ctx, globalId);
  ctx.em.remove(seat);
  try {
    await ctx.em.flush();
  } catch (e) {
    // restrict_violation (23001) is what `on delete restrict` raises; MikroORM maps only 23503 to its own class.
    if (e instanceof ForeignKeyConstraintViolationException || (e as { code?: unknown }).code === '23001') throw conflict(text('该委员席位已有履职等记录，不能删除，请改为结束任期（endMemberSeat）', 'This member seat has records; end it (endMemberSeat) instead of deleting it'));
    throw e;
  }
  return globalId;
}

export async function seatsOfViewer(ctx: Context): Promise<MemberSeat[]> {
  return ctx.loaders.member.seatsByUser.load(ctx.viewer.user.id);
}
