import { Arg, Args, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../../core/context.js';
import { Connection, PageArgs } from '../../core/connection.js';
import { Length } from 'class-validator';
import { ArgsType, Field } from 'type-graphql';
import { UnitDuty, User } from '../../core/identity/user.entity.js';
import { DeadlineExtension, HandlingUnit } from './unit.entities.js';
import * as units from './unit.service.js';

const HandlingUnitConnection = Connection(HandlingUnit, 'HandlingUnit', '承办单位');

@ArgsType()
class CreateUnitArgs {
  @Field(() => String, { description: 'Name of the unit (单位名称), 1–128 characters, unique in the committee.' })
  @Length(1, 128)
  name!: string;
}

@Resolver(() => HandlingUnit)
export class HandlingUnitResolver {
  @Query(() => HandlingUnitConnection, { description: "The acting committee's handling units (承办单位名录). STAFF, LEADER, ADMIN or DEPARTMENT." })
  handlingUnits(@Ctx() ctx: Context, @Args(() => PageArgs) page: PageArgs) {
    return units.listUnits(ctx, page);
  }

  @FieldResolver(() => [User], { nullable: true, description: "The unit's accounts (单位账号): for the office, leaders and the unit itself; null for others." })
  accounts(@Root() u: HandlingUnit, @Ctx() ctx: Context) {
    return units.accountsOf(ctx, u);
  }

  @Mutation(() => HandlingUnit, { description: 'Add a handling unit to the directory (新增承办单位). STAFF or ADMIN. Accounts join it by naming it as their unitName.' })
  createHandlingUnit(@Ctx() ctx: Context, @Args(() => CreateUnitArgs) args: CreateUnitArgs) {
    return units.createUnit(ctx, args.name);
  }

  @Mutation(() => User, { description: "Set a DEPARTMENT account's duty in its unit (设置经办人/负责人). STAFF or ADMIN." })
  setUnitDuty(
    @Ctx() ctx: Context,
    @Arg('user', () => ID, { description: 'A DEPARTMENT account of this committee.' }) user: string,
    @Arg('duty', () => UnitDuty, { description: 'The duty (职责).' }) duty: UnitDuty,
  ) {
    return units.setUnitDuty(ctx, user, duty);
  }
}

@Resolver(() => User)
export class UnitAccountResolver {
  @FieldResolver(() => HandlingUnit, { nullable: true, description: 'The handling unit a DEPARTMENT account acts for (所属承办单位).' })
  unit(@Root() u: User, @Ctx() ctx: Context) {
    return u.unitId ? ctx.loaders.unit.unitById.load(u.unitId) : null;
  }
}

@Resolver(() => DeadlineExtension)
export class DeadlineExtensionResolver {
  @FieldResolver(() => HandlingUnit, { nullable: true, description: 'The unit that asked (申请单位).' })
  unit(@Root() x: DeadlineExtension, @Ctx() ctx: Context) {
    return ctx.loaders.unit.unitById.load(x.unitId);
  }

  @FieldResolver(() => User, { nullable: true, description: 'Who asked (申请人).' })
  requestedBy(@Root() x: DeadlineExtension, @Ctx() ctx: Context) {
    return ctx.loaders.member.userById.load(x.requestedBy);
  }

  @FieldResolver(() => User, { nullable: true, description: 'Who decided (审核人).' })
  decidedBy(@Root() x: DeadlineExtension, @Ctx() ctx: Context) {
    return x.decidedBy ? ctx.loaders.member.userById.load(x.decidedBy) : null;
  }
}
