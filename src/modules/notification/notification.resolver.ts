import { Arg, Args, Ctx, Field, FieldResolver, ID, InputType, Int, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import type { Context, SubscriptionContext } from '../../core/context.js';
import { Connection, PageArgs } from '../../core/connection.js';
import { NodeEntity } from '../../core/node.js';
import { Notification, NotificationKind, NotificationPreference } from './notification.entity.js';
import * as notifications from './notification.service.js';
import { subscribeNotifications } from './notification.live.js';

const NotificationConnection = Connection(Notification, 'Notification', '站内通知');

@InputType('NotificationPreferencesInput', { description: 'Changes to how you want to be told (通知偏好); a field left out stays as it is.' })
export class NotificationPreferencesInput implements notifications.PreferencesInput {
  @Field(() => [NotificationKind], { nullable: true, description: 'Kinds not sent by e-mail or SMS (不外发的通知类型).' })
  mutedKinds?: NotificationKind[] | null;

  @Field(() => String, { nullable: true, description: 'E-mail address (电子邮箱).' })
  email?: string | null;

  @Field(() => String, { nullable: true, description: 'Mobile number (手机号码).' })
  phone?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'Send e-mail (邮件通知).' })
  emailEnabled?: boolean | null;

  @Field(() => Boolean, { nullable: true, description: 'Send SMS (短信通知).' })
  smsEnabled?: boolean | null;

  @Field(() => Int, { nullable: true, description: 'Quiet hours start, minutes after midnight China time (免打扰开始).' })
  quietFrom?: number | null;

  @Field(() => Int, { nullable: true, description: 'Quiet hours end, minutes after midnight China time (免打扰结束).' })
  quietTo?: number | null;
}

@Resolver(() => Notification)
export class NotificationResolver {
  @Query(() => NotificationConnection, { description: 'Your notifications for the committee you act for, newest first (我的通知).' })
  notifications(
    @Ctx() ctx: Context,
    @Args(() => PageArgs) page: PageArgs,
    @Arg('unreadOnly', () => Boolean, { nullable: true, defaultValue: false, description: 'Only unread ones (只看未读).' }) unreadOnly: boolean,
  ) {
    return notifications.listNotifications(ctx, page, unreadOnly);
  }

  @Query(() => Int, { description: 'How many of your notifications are unread (未读通知数).' })
  unreadNotificationCount(@Ctx() ctx: Context) {
    return notifications.unreadCount(ctx);
  }

  @Query(() => NotificationPreference, { description: 'How you want to be told (通知偏好).' })
  notificationPreferences(@Ctx() ctx: Context) {
    return notifications.preferences(ctx);
  }

  @Mutation(() => Int, { description: 'Mark notifications read (标记已读): those named, or all when `ids` is omitted; returns how many changed.' })
  markNotificationsRead(@Ctx() ctx: Context, @Arg('ids', () => [ID], { nullable: true, description: 'Notification ids; omitted: all.' }) ids?: string[] | null) {
    return notifications.markRead(ctx, ids);
  }

  @Mutation(() => NotificationPreference, { description: 'Change how you want to be told (设置通知偏好).' })
  setNotificationPreferences(@Ctx() ctx: Context, @Arg('input', () => NotificationPreferencesInput, { description: 'What to change.' }) input: NotificationPreferencesInput) {
    return notifications.setPreferences(ctx, input);
  }

  @FieldResolver(() => ID, { nullable: true, description: 'Global id of the item it is about (关联事项); fetch it with `node(id:)`.' })
  itemId(@Root() n: Notification) {
    return notifications.itemGlobalId(n);
  }

  @FieldResolver(() => NodeEntity, { nullable: true, description: 'The item it is about, if you may still see it (关联事项).' })
  item(@Root() n: Notification, @Ctx() ctx: Context) {
    const fetch = n.itemType && n.itemId ? ctx.kernel.nodes.get(n.itemType) : undefined;
    return fetch ? fetch(ctx, n.itemId!) : null;
  }

  @Subscription(() => Notification, {
    description: 'Your new notifications as they are made (新通知推送), in order, each once; pass the last id you have as `after` to get what you missed first.',
    subscribe: ({ args, context }) => subscribeNotifications(context as SubscriptionContext, args.after as string | null),
  })
  notificationAdded(@Root() n: Notification, @Arg('after', () => ID, { nullable: true, description: 'Last notification id you have (已收到的最后一条).' }) _after?: string): Notification {
    return n;
  }
}
