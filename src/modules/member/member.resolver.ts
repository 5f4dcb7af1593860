import { Arg, Args, Ctx, Field, FieldResolver, ID, Mutation, ObjectType, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../../core/context.js';
import { Connection, PageArgs } from '../../core/connection.js';
import { Tenant } from '../../core/identity/tenant.entity.js';
import { MemberSeat } from '../../core/identity/member-seat.entity.js';
import { Role, User } from '../../core/identity/user.entity.js';
import { AddMemberInput, EndMemberSeatInput, MemberFilter, MemberOrder, UpdateMemberInput } from './member.inputs.js';
import * as members from './member.service.js';

const MemberSeatConnection = Connection(MemberSeat, 'MemberSeat', '委员席位');


@ObjectType('Viewer', { description: 'The signed-in user and the committee they act for (当前用户).' })
export class Viewer {
  @Field(() => User, { description: 'The account (账号).' })
  user!: User;

  @Field(() => Role, { description: 'Role for the acting committee (当前角色).' })
  role!: Role;

  @Field(() => Tenant, { description: 'The committee this session acts for (当前所属政协).' })
  tenant!: Tenant;
}

@Resolver(() => Viewer)
export class ViewerResolver {
  @Query(() => Viewer, { description: 'Who is signed in, with which role, for which committee (当前用户).' })
  me(@Ctx() ctx: Context): Viewer {
    return ctx.viewer;
  }

  @FieldResolver(() => [MemberSeat], { description: "The viewer's member seats on every committee (本人委员席位), e.g. county and city." })
  seats(@Ctx() ctx: Context) {
    return members.seatsOfViewer(ctx);
  }
}

@Resolver(() => User)
export class UserResolver {
  @FieldResolver(() => Tenant, { description: 'Home committee of the account (所属政协).' })
  homeTenant(@Root() u: User, @Ctx() ctx: Context) {
    return ctx.loaders.tenant.byId.load(u.tenantId);
  }
}

@Resolver(() => MemberSeat)
export class MemberResolver {
  @Query(() => MemberSeatConnection, { description: "The acting committee's member roster (委员名册)." })
  members(
    @Ctx() ctx: Context,
    @Args(() => PageArgs) page: PageArgs,
    @Arg('filter', () => MemberFilter, { nullable: true, description: 'Optional filters.' }) filter?: MemberFilter,
    @Arg('orderBy', () => MemberOrder, { nullable: true, description: 'Sort order (排序); creation order when omitted.' }) orderBy?: MemberOrder,
  ) {
    return members.listMembers(ctx, filter, page, orderBy);
  }

  @FieldResolver(() => User, { nullable: true, description: 'The member (委员).' })
  user(@Root() s: MemberSeat, @Ctx() ctx: Context) {
    return ctx.loaders.member.userById.load(s.userId);
  }

  @FieldResolver(() => Tenant, { description: 'The committee holding the seat (所在政协).' })
  tenant(@Root() s: MemberSeat, @Ctx() ctx: Context) {
    return ctx.loaders.tenant.byId.load(s.tenantId);
  }

  @Mutation(() => MemberSeat, { description: 'Add a member to the acting committee (新增委员). STAFF or ADMIN.' })
  addMember(@Ctx() ctx: Context, @Arg('input', () => AddMemberInput, { description: 'The new member.' }) input: AddMemberInput) {
    return members.addMember(ctx, input);
  }

  @Mutation(() => MemberSeat, { description: 'Change a member seat of the acting committee (修改委员信息). STAFF or ADMIN.' })
  updateMember(
    @Ctx() ctx: Context,
    @Arg('id', () => ID, { description: 'MemberSeat id.' }) id: string,
    @Arg('input', () => UpdateMemberInput, { description: 'The changes.' }) input: UpdateMemberInput,
  ) {
    return members.updateMember(ctx, id, input);
  }

  @Mutation(() => MemberSeat, { description: 'End a member seat of the acting committee (委员离任) with the day and the reason; the seat and its archives stay. STAFF or ADMIN.' })
  endMemberSeat(
    @Ctx() ctx: Context,
    @Arg('id', () => ID, { description: 'MemberSeat id.' }) id: string,
    @Arg('input', () => EndMemberSeatInput, { description: 'When and why.' }) input: EndMemberSeatInput,
  ) {
    return members.endSeat(ctx, id, input);
  }

  @Mutation(() => ID, {
    description: 'Delete a seat entered by mistake (删除误录委员席位); returns its id. A seat with records (an archive, …) is never deleted: CONFLICT, end it instead. STAFF or ADMIN.',
  })
  removeMember(@Ctx() ctx: Context, @Arg('id', () => ID, { description: 'MemberSeat id.' }) id: string) {
    return members.removeMember(ctx, id);
  }
}
