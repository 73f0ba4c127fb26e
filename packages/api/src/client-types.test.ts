import type { hc, InferResponseType } from 'hono/client'
import type { JSONParsed } from 'hono/utils/types'
import { describe, expectTypeOf, it } from 'vitest'
import type { AppType } from './app.js'
import type { Client } from './client.js'

/**
 * The hand-written client held against the routes: what each method resolves with is what its
 * route answers (hono's own inference from `createApp`). Checked by the compiler (`pnpm typecheck`):
 * a DTO or a route that drifts from the client fails to build.
 */
type Routes = ReturnType<typeof hc<AppType>>
type Sessions = Routes['sessions']
type One = Sessions[':ref']
type Answer<R> = InferResponseType<R>
/** What a method resolves with, as JSON carries it (hono writes a DTO's `unknown` as a JSON value). */
type Resolves<K extends keyof Client> = JSONParsed<Awaited<ReturnType<Client[K]>>>

describe('the client matches the routes (compile time)', () => {
  it('sessions', () => {
    expectTypeOf<Resolves<'health'>>().toEqualTypeOf<Answer<Routes['health']['$get']>>()
    expectTypeOf<Resolves<'list'>>().toEqualTypeOf<Answer<Sessions['$get']>>()
    expectTypeOf<Resolves<'create'>>().toEqualTypeOf<Answer<Sessions['$post']>>()
    expectTypeOf<Resolves<'spawn'>>().toEqualTypeOf<Answer<Sessions['spawn']['$post']>>()
    expectTypeOf<Resolves<'get'>>().toEqualTypeOf<Answer<One['$get']>>()
    expectTypeOf<Resolves<'rename'>>().toEqualTypeOf<Answer<One['$patch']>>()
    expectTypeOf<Resolves<'kill'> | Resolves<'killTree'>>().toEqualTypeOf<Answer<One['$delete']>>()
    expectTypeOf<Resolves<'input'>>().toEqualTypeOf<Answer<One['input']['$post']>>()
    expectTypeOf<Resolves<'key'>>().toEqualTypeOf<Answer<One['key']['$post']>>()
    expectTypeOf<Resolves<'output'>>().toEqualTypeOf<Answer<One['output']['$get']>>()
    expectTypeOf<Resolves<'events'>>().toEqualTypeOf<Answer<One['events']['$get']>>()
    expectTypeOf<Resolves<'summary'>>().toEqualTypeOf<Answer<One['summary']['$get']>>()
    expectTypeOf<Resolves<'lastMessage'>>().toEqualTypeOf<Answer<One['last-message']['$get']>>()
    expectTypeOf<Resolves<'children'>>().toEqualTypeOf<Answer<One['children']['$get']>>()
    expectTypeOf<Resolves<'send'>>().toEqualTypeOf<Answer<One['messages']['$post']>>()
    expectTypeOf<Resolves<'messages'>>().toEqualTypeOf<Answer<One['messages']['$get']>>()
    expectTypeOf<Resolves<'wait'>>().toEqualTypeOf<Answer<One['wait']['$post']>>()
    expectTypeOf<Resolves<'clear'>>().toEqualTypeOf<Answer<One['clear']['$post']>>()
    expectTypeOf<Resolves<'others'>>().toEqualTypeOf<Answer<One['others']['$get']>>()
    expectTypeOf<Resolves<'setTask'>>().toEqualTypeOf<Answer<One['task']['$put']>>()
    expectTypeOf<Resolves<'subagents'>>().toEqualTypeOf<Answer<One['subagents']['$get']>>()
    expectTypeOf<Resolves<'sessionTools'>>().toEqualTypeOf<Answer<One['tools']['$get']>>()
  })

  it('tools and telegram', () => {
    expectTypeOf<Resolves<'tools'>>().toEqualTypeOf<Answer<Routes['tools']['$get']>>()
    expectTypeOf<Resolves<'toolStats'>>().toEqualTypeOf<Answer<Routes['tools']['stats']['$get']>>()
    expectTypeOf<Resolves<'telegramPair'>>().toEqualTypeOf<Answer<Routes['telegram']['pair']['$post']>>()
    expectTypeOf<Resolves<'telegramStatus'>>().toEqualTypeOf<Answer<Routes['telegram']['$get']>>()
    expectTypeOf<Resolves<'telegramUnpair'>>().toEqualTypeOf<Answer<Routes['telegram']['users'][':id']['$delete']>>()
  })
})
