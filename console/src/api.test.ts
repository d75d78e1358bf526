import { describe, expect, it } from 'vitest'
import { ApiError, loadSession, request, setCsrfToken, setUnauthorizedHook } from './api'

function fakeFetch(status: number, body: string, type = 'application/json'): typeof fetch {
  return (async () => new Response(body, { status, headers: { 'Content-Type': type } })) as typeof fetch
}

describe('request', () => {
  it('returns parsed JSON', async () => {
    expect(await request('GET', '/x', { fetch: fakeFetch(200, '{"a":1}') })).toEqual({ a: 1 })
  })

  it('returns text for YAML', async () => {
    expect(await request('GET', '/x', { fetch: fakeFetch(200, 'rules: []', 'application/yaml') })).toBe('rules: []')
  })

  it('turns the error envelope into an ApiError', async () => {
    const err = await request('PUT', '/x', {
      text: 'x',
      fetch: fakeFetch(400, '{"error":{"code":"invalid","field":"rules[0].if","message":"bad"}}'),
    }).catch((e: ApiError) => e)
    expect(err).toBeInstanceOf(ApiError)
    expect(err).toMatchObject({ status: 400, code: 'invalid', field: 'rules[0].if', message: 'bad' })
  })

  it('calls the login hook on 401', async () => {
    let called = 0
    setUnauthorizedHook(() => called++)
    const err = (await request('GET', '/x', { fetch: fakeFetch(401, '{"error":{"code":"unauthorized","message":"login"}}') }).catch((e: ApiError) => e)) as ApiError
    expect(called).toBe(1)
    expect(err.status).toBe(401)
    setUnauthorizedHook(() => {})
  })

  it('reports network failures as status 0', async () => {
    const f = (async () => {
      throw new TypeError('Failed to fetch')
    }) as typeof fetch
    const err = await request('GET', '/x', { fetch: f }).catch((e: ApiError) => e)
    expect(err).toMatchObject({ status: 0, code: 'network' })
  })

  it('keeps plain-text error bodies short', async () => {
    const err = (await request('GET', '/x', { fetch: fakeFetch(502, 'x'.repeat(1000), 'text/plain') }).catch((e: ApiError) => e)) as ApiError
    expect(err.message.length).toBe(300)
  })
})

describe('CSRF', () => {
  it('sends the session token on state-changing requests only', async () => {
    const seen: Record<string, string | null> = {}
    const f = (async (_url: string, init: RequestInit) => {
      seen[init.method as string] = new Headers(init.headers).get('X-CSRF-Token')
      return new Response('{}', { status: 200, headers: { 'Content-Type': 'application/json' } })
    }) as unknown as typeof fetch
    const me = (async () => new Response('{"csrf_token":"tok1"}', { status: 200, headers: { 'Content-Type': 'application/json' } })) as unknown as typeof fetch
    expect(await loadSession(me)).toBe(true)
    await request('GET', '/x', { fetch: f })
    await request('PUT', '/x', { fetch: f, text: 'a' })
    expect(seen).toEqual({ GET: null, PUT: 'tok1' })
    setCsrfToken('')
    const none = (async () => new Response('', { status: 404 })) as unknown as typeof fetch
    expect(await loadSession(none)).toBe(false)
  })
})
