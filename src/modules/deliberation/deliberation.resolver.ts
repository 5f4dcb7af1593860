import { Arg, Args, Ctx, Field, FieldResolver, ID, Int, Mutation, ObjectType, Query, Resolver, Root, Subscription } from 'type-graphql';
import type { Context, SubscriptionContext } from '../../core/context.js';
import { Connection, PageArgs } from '../../core/connection.js';
import { parseGlobalId, toGlobalId } from '../../core/global-id.js';
import { Tenant } from '../../core/identity/tenant.entity.js';
import { DeliberationEvent, DeliberationSession } from './deliberation.entity.js';
import { DeliberationFilter, HideDeliberationMessageInput, PostDeliberationMessageInput, ScheduleDeliberationInput, ShowDeliberationMessageInput } from './deliberation.inputs.js';
import * as deliberation from './deliberation.service.js';
import { presenceOf } from './deliberation.presence.js';
import { subscribeEvents } from './deliberation.live.js';

const DeliberationSessionConnection = Connection(DeliberationSession, 'DeliberationSession', '网络议政会');


@ObjectType('DeliberationPresence', { description: 'A user connected to a session right now, on any server instance (在线参与者).' })
export class DeliberationPresenceEntry {
  @Field(() => String, { description: 'Name (姓名).' })
  userName!: string;

  tenantId!: string;

  @Field(() => Int, { description: 'Open live connections of this user to the session (连接数).' })
  connections!: number;
}

const sessionIdArg = { description: 'DeliberationSession id.' };

@Resolver(() => DeliberationPresenceEntry)
export class DeliberationPresenceResolver {
  @FieldResolver(() => Tenant, { nullable: true, description: 'The committee the user acts for (所属政协).' })
  committee(@Root() p: DeliberationPresenceEntry, @Ctx() ctx: Context) {
    return ctx.loaders.tenant.byId.load(p.tenantId);
  }
}

@Resolver(() => DeliberationEvent)
export class DeliberationEventResolver {
  @FieldResolver(() => ID, { description: 'The session (所属议政会), as a DeliberationSession id.' })
  sessionId(@Root() e: DeliberationEvent): string {
    return toGlobalId('DeliberationSession', e.sessionId);
  }
}

@Resolver(() => DeliberationSession)
export class DeliberationResolver {
  @Query(() => DeliberationSessionConnection, { description: 'Deliberation sessions your committee hosts or takes part in (网络议政会).' })
  deliberationSessions(
    @Ctx() ctx: Context,
    @Args(() => PageArgs) page: PageArgs,
    @Arg('filter', () => DeliberationFilter, { nullable: true, description: 'Optional filters.' }) filter?: DeliberationFilter,
  ) {
    return deliberation.listSessions(ctx, filter, page);
  }

  @Query(() => DeliberationSession, { nullable: true, description: 'One session by id (网络议政会); null when missing or not visible to you.' })
  deliberationSession(@Ctx() ctx: Context, @Arg('id', () => ID, sessionIdArg) id: string) {
    const parsed = parseGlobalId(id);
    return parsed?.type === 'DeliberationSession' ? deliberation.readableSession(ctx, parsed.id) : null;
  }

  @FieldResolver(() => Tenant, { description: 'The host committee (主办政协).' })
  host(@Root() s: DeliberationSession, @Ctx() ctx: Context) {
    return ctx.loaders.tenant.byId.load(s.tenantId);
  }

  @FieldResolver(() => [Tenant], { description: 'Participating committees, the host first (参与政协).' })
  async participants(@Root() s: DeliberationSession, @Ctx() ctx: Context) {
    const all = await ctx.loaders.tenant.byId.loadMany(s.participantIds);
    return all.filter((t): t is Tenant => t instanceof Tenant);
  }

  @FieldResolver(() => [DeliberationPresenceEntry], { description: 'Who is connected now, across all server instances (在线参与者).' })
  presence(@Root() s: DeliberationSession, @Ctx() ctx: Context) {
    return presenceOf(ctx, s);
  }

  @Mutation(() => DeliberationSession, { description: 'Schedule a session hosted by the acting committee (安排网络议政). STAFF or LEADER.' })
  scheduleDeliberation(@Ctx() ctx: Context, @Arg('input', () => ScheduleDeliberationInput, { description: 'The session.' }) input: ScheduleDeliberationInput) {
    return deliberation.scheduleSession(ctx, input);
  }

  @Mutation(() => DeliberationSession, { description: 'Open a scheduled session (开始议政): SCHEDULED → LIVE. Host STAFF or LEADER.' })
  openDeliberation(@Ctx() ctx: Context, @Arg('id', () => ID, sessionIdArg) id: string) {
    return deliberation.changeStatus(ctx, id, 'open');
  }

  @Mutation(() => DeliberationSession, { description: 'Pause a live session (暂停): LIVE → PAUSED. Host STAFF or LEADER.' })
  pauseDeliberation(@Ctx() ctx: Context, @Arg('id', () => ID, sessionIdArg) id: string) {
    return deliberation.changeStatus(ctx, id, 'pause');
  }

  @Mutation(() => DeliberationSession, { description: 'Resume a paused session (继续): PAUSED → LIVE. Host STAFF or LEADER.' })
  resumeDeliberation(@Ctx() ctx: Context, @Arg('id', () => ID, sessionIdArg) id: string) {
    return deliberation.changeStatus(ctx, id, 'resume');
  }

  @Mutation(() => DeliberationSession, { description: 'End a session (结束议政): live streams complete. Host STAFF or LEADER.' })
  endDeliberation(@Ctx() ctx: Context, @Arg('id', () => ID, sessionIdArg) id: string) {
    return deliberation.changeStatus(ctx, id, 'end');
  }

  @Mutation(() => DeliberationEvent, { description: 'Join a session of a participating committee (加入议政).' })
  joinDeliberation(@Ctx() ctx: Context, @Arg('id', () => ID, sessionIdArg) id: string) {
    return deliberation.join(ctx, id);
  }

  @Mutation(() => DeliberationEvent, { description: 'Leave a session (退出议政).' })
  leaveDeliberation(@Ctx() ctx: Context, @Arg('id', () => ID, sessionIdArg) id: string) {
    return deliberation.leave(ctx, id);
  }

  @Mutation(() => DeliberationEvent, { description: 'Post a speech or comment in a live session (发言). Participants who joined, and host moderators.' })
  postDeliberationMessage(@Ctx() ctx: Context, @Arg('input', () => PostDeliberationMessageInput, { description: 'The message.' }) input: PostDeliberationMessageInput) {
    return deliberation.postMessage(ctx, input);
  }

  @Mutation(() => DeliberationEvent, { description: 'Ask for the floor (举手申请发言). MEMBER who joined.' })
  raiseHand(@Ctx() ctx: Context, @Arg('id', () => ID, sessionIdArg) id: string) {
    return deliberation.raiseHand(ctx, id);
  }

  @Mutation(() => DeliberationEvent, { description: 'Give the floor to the earliest raised hand (准予发言). Host STAFF or LEADER.' })
  grantFloor(@Ctx() ctx: Context, @Arg('id', () => ID, sessionIdArg) id: string) {
    return deliberation.grantFloor(ctx, id);
  }

  @Mutation(() => DeliberationEvent, { description: 'Hide a message with a reason (屏蔽发言); it stays stored, and a hidden speech earns no archive credit. Host STAFF or LEADER.' })
  hideDeliberationMessage(@Ctx() ctx: Context, @Arg('input', () => HideDeliberationMessageInput, { description: 'Which message, and why.' }) input: HideDeliberationMessageInput) {
    return deliberation.hideMessage(ctx, input);
  }

  @Mutation(() => DeliberationEvent, { description: 'Show a hidden message again (恢复显示); a speech counts in the archive again. Host STAFF or LEADER.' })
  showDeliberationMessage(@Ctx() ctx: Context, @Arg('input', () => ShowDeliberationMessageInput, { description: 'Which message.' }) input: ShowDeliberationMessageInput) {
    return deliberation.showMessage(ctx, input);
  }

  @Subscription(() => DeliberationEvent, {
    description:
      'Every event of a session (议政实时事件): first the stored ones after `afterSeq`, then new ones live, in sequence, each once. ' +
      'Resume after a dropped connection with the last `seq` you saw. Completes when the session ends.',
    subscribe: ({ args, context }) => subscribeEvents(context as SubscriptionContext, args.sessionId as string, (args.afterSeq as number | null) ?? 0),
  })
  deliberationEvents(
    @Root() e: DeliberationEvent,
    @Arg('sessionId', () => ID, sessionIdArg) _sessionId: string,
    @Arg('afterSeq', () => Int, { nullable: true, defaultValue: 0, description: 'Last sequence number already seen (已收到的最后序号); 0 for everything.' }) _afterSeq: number,
  ): DeliberationEvent {
    return e;
  }
}
