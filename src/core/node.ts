import { Field, ID, InterfaceType } from 'type-graphql';
import { PrimaryKey, Entity, OptionalProps } from '@mikro-orm/core';
import { newId } from './ids.js';
import { toGlobalId } from './global-id.js';

/** Relay-style Node: every record the API exposes has an opaque global id and can be fetched by `node(id:)`. */
@InterfaceType('Node', {
  description: 'A record with an opaque global id (全局标识), fetchable with `node(id:)`.',
  resolveType: (value: object) => value.constructor.name,
})
@Entity({ abstract: true })
export abstract class NodeEntity {
  [OptionalProps]?: 'globalId' | 'createdAt' | 'updatedAt' | 'cityId' | 'status';

  @PrimaryKey({ type: 'uuid' })
  id: string = newId();

  @Field(() => ID, { name: 'id', description: 'Opaque global id (全局标识).' })
  get globalId(): string {
    return toGlobalId(this.constructor.name, this.id);
  }
}
