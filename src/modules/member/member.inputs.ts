import { Field, InputType, Int, registerEnumType } from 'type-graphql';
import { IsIn, IsInt, IsOptional, Length, Matches, Max, Min } from 'class-validator';
import { LocalDate } from '../../core/scalars.js';
import { OrderDirection } from '../../core/connection.js';
import { SeatStatus, type MemberSeat } from '../../core/identity/member-seat.entity.js';

@InputType('AddMemberInput', { description: 'A new member and their seat on the acting committee (新增委员).' })
export class AddMemberInput implements Partial<MemberSeat> {
  @Field(() => String, { description: 'Sign-in name (登录名): 3–64 letters, digits, dot, dash or underscore.' })
  @Matches(/^[A-Za-z0-9._-]{3,64}$/, { message: 'login must be 3–64 letters, digits, dot, dash or underscore' })
  login!: string;

  @Field(() => String, { description: 'Full name (姓名).' })
  @Length(1, 64)
  displayName!: string;

  @Field(() => String, { description: 'Sector (界别), e.g. 经济界.' })
  @Length(1, 64)
  sector!: string;

  @Field(() => String, { nullable: true, description: 'Position (职务), e.g. 常委.' })
  @IsOptional()
  @Length(1, 64)
  title?: string;

  @Field(() => String, { description: 'Term (届次), e.g. 第十三届.' })
  @Length(1, 32)
  term!: string;
}

@InputType('UpdateMemberInput', { description: 'Changes to a member seat (修改委员信息); omitted fields stay as they are. A seat ends through endMemberSeat.' })
export class UpdateMemberInput implements Partial<MemberSeat> {
  @Field(() => String, { nullable: true, description: 'Sector (界别).' })
  @IsOptional()
  @Length(1, 64)
  sector?: string;

  @Field(() => String, { nullable: true, description: 'Position (职务).' })
  @IsOptional()
  @Length(1, 64)
  title?: string;
}

@InputType('EndMemberSeatInput', { description: 'The end of a seat (委员离任): when and why. The seat, its archives and records stay.' })
export class EndMemberSeatInput implements Partial<MemberSeat> {
  @Field(() => LocalDate, { description: 'Day the seat ended (离任日期), not in the future.' })
  endedOn!: string;

  @Field(() => String, { description: 'Why it ended (离任原因), 1–500 characters, e.g. 换届, 工作调动, 辞去委员职务.' })
  @Length(1, 500)
  @Matches(/\S/, { message: 'reason must not be blank' })
  reason!: string;
}

@InputType('MemberFilter', { description: 'Filters for the member roster (委员名册筛选).' })
export class MemberFilter {
  @Field(() => SeatStatus, { nullable: true, description: 'Only seats in this status (状态).' })
  @IsOptional()
  status?: SeatStatus;

  @Field(() => String, { nullable: true, description: 'Only this sector (界别).' })
  @IsOptional()
  @Length(1, 64)
  sector?: string;
}

export enum MemberOrderField {
  NAME = 'NAME',
  SCORE = 'SCORE',
}
registerEnumType(MemberOrderField, {
  name: 'MemberOrderField',
  description: 'What the roster can be sorted by (委员排序字段).',
  valuesConfig: {
    NAME: { description: "The member's name, in the database's collation (姓名)." },
    SCORE: { description: "The member's performance score for a year (履职得分); no archive counts as 0." },
  },
});

@InputType('MemberOrder', { description: 'Sort order of the roster (委员排序); without it, creation order.' })
export class MemberOrder {
  @Field(() => MemberOrderField, { description: 'Sort key (排序字段).' })
  @IsIn(Object.values(MemberOrderField))
  field!: MemberOrderField;

  @Field(() => OrderDirection, { defaultValue: OrderDirection.ASC, description: 'Direction (排序方向), ASC by default.' })
  @IsIn(Object.values(OrderDirection))
  direction!: OrderDirection;

  @Field(() => Int, { nullable: true, description: 'Year of the score (年度) for SCORE; the current year by default.' })
  @IsOptional()
  @IsInt()
  @Min(2000)
  @Max(2100)
  year?: number;
}
