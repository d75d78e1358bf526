import { describe, expect, it } from 'vitest'
import { normalizeSnapshot } from '../protocol'
import { freshness } from '../state/freshness'
import {
  absoluteUrl, connectorBody, formatProducts, normalizeConnector, normalizeConnectors, normalizeDeadLetters, normalizeTry,
  parseProducts, serverProblems, sourceRows, tryHeaders, tryOutcome, type ConnectorForm,
} from './model'

const stats = (o: Record<string, unknown> = {}) => ({
  last_message_at: null, messages: 0, per_min: 0, accepted: 0, duplicates: 0, ignored: 0, signature_failures: 0, dead_letters: 0, ...o,
})

const conn = (source: string, o: Record<string, unknown> = {}, s: Record<string, unknown> = {}) => normalizeConnector({
  source, format: 'bilibili', platform: 'bilibili', settings: { format: 'bilibili' }, has_secret: false,
  ingest_url: `/api/v1/rooms/r1/events?format=bilibili&source=${source}`, stats: stats(s), ...o,
})

describe('answers', () => {
  it('normalises a connector, keeping a generated secret and filling gaps', () => {
    const c = normalizeConnector({ source: 'shop', format: 'shopify', settings: { format: 'shopify', currency: 'USD' }, has_secret: true, secret: 'abc', stats: { signature_failures: 2, last_message_at: 0 } })
    expect(c).toMatchObject({ source: 'shop', format: 'shopify', platform: '', has_secret: true, secret: 'abc', ingest_url: '' })
    expect(c.settings).toEqual({ format: 'shopify', currency: 'USD' })
    expect(c.stats).toEqual(stats({ signature_failures: 2 })) // 0 is "never"
    expect(normalizeConnector(null).source).toBe('')
  })

  it('lists connectors by source and drops nameless entries', () => {
    expect(normalizeConnectors([{ source: 'b' }, { source: 'a' }, { format: 'x' }, 'junk']).map((c) => c.source)).toEqual(['a', 'b'])
    expect(normalizeConnectors({ error: {} })).toEqual([])
  })

  it('reads a try answer and says what became of each message', () => {
    const r = normalizeTry({
      signature: 'bad',
      messages: [
        { index: 0, id: 'm1', kind: 'DANMU_MSG', events: [{ type: 'comment' }], ignored: false, error: '' },
        { index: 1, id: 'm2', kind: 'WATCHED_CHANGE', events: [], ignored: true, error: '' },
        { index: 2, kind: 'SEND_GIFT', error: 'no gift name' },
      ],
    })
    expect(r.signature).toBe('bad')
    expect(r.messages.map(tryOutcome)).toEqual(['events', 'ignored', 'error'])
    expect(r.messages[2]).toMatchObject({ id: '', events: [], ignored: false })
    expect(normalizeTry({}).signature).toBe('not checked')
  })

  it('keeps a dead letter raw message as text', () => {
    const d = normalizeDeadLetters([{ id: '1-0', raw: { a: 1 }, received_at: 5 }, { id: '2-0', raw: '{"b":2}' }, { raw: 'no id' }])
    expect(d.map((x) => x.raw)).toEqual(['{"a":1}', '{"b":2}'])
  })
})

describe('sources panel rows', () => {
  const snap = normalizeSnapshot('r1', {
    stale_after_seconds: 30,
    sources: {
      bili: { newest_ms: 0, age_seconds: 4, per_min: 50, stale: false },
      simulator: { newest_ms: 0, age_seconds: 2, per_min: 600, stale: false },
    },
  })
  const f = freshness(snap, 100_000, 101_000) // a second after the snapshot arrived

  it('merges connectors into the snapshot sources by name', () => {
    const now = 1_000_000
    const rows = sourceRows(f, [
      conn('bili', {}, { last_message_at: now - 2_000, per_min: 80, signature_failures: 3, ignored: 7, dead_letters: 1 }),
      conn('shop', { format: 'shopify', platform: 'shopify' }),
    ], now)
    expect(rows.map((r) => r.name)).toEqual(['bili', 'shop', 'simulator'])
    // The connector's own last message (2 s, counting ignored ones) is newer than the snapshot's newest event (5 s).
    expect(rows[0]).toEqual({ name: 'bili', connector: true, platform: 'bilibili', format: 'bilibili', ageSeconds: 2, perMin: 80, stale: false, signatureFailures: 3, ignored: 7, deadLetters: 1 })
    expect(rows[1]).toMatchObject({ name: 'shop', connector: true, ageSeconds: null, stale: false })
    expect(rows[2]).toMatchObject({ name: 'simulator', connector: false, ageSeconds: 3, perMin: 600 })
  })

  it('marks a connector stalled by its own clock, and not while it still receives', () => {
    const now = 1_000_000
    expect(sourceRows(f, [conn('quiet', {}, { last_message_at: now - 45_000 })], now).find((r) => r.name === 'quiet')?.stale).toBe(true)
    const silentEvents = freshness(normalizeSnapshot('r1', { stale_after_seconds: 30, sources: { bili: { newest_ms: 0, age_seconds: 60, per_min: 0, stale: true } } }), 100_000, 100_000)
    // Only ignored messages arrive: the snapshot's events stall, the connector does not.
    expect(sourceRows(silentEvents, [conn('bili', {}, { last_message_at: now - 1_000 })], now)[0]).toMatchObject({ stale: false, ageSeconds: 1 })
    expect(sourceRows(silentEvents, [conn('bili', {}, { last_message_at: now - 90_000 })], now)[0]).toMatchObject({ stale: true, ageSeconds: 60 })
    expect(sourceRows(silentEvents, null, now)[0]).toMatchObject({ stale: true, connector: false })
  })
})

describe('admin form', () => {
  it('builds the ingest URL on the page origin', () => {
    expect(absoluteUrl('/api/v1/rooms/r1/events?format=shopify&source=shop', 'https://deck.example.com')).toBe('https://deck.example.com/api/v1/rooms/r1/events?format=shopify&source=shop')
    expect(absoluteUrl('', 'http://x')).toBe('')
  })

  it('reads product lines, keeping long ids as text, and says which line is wrong', () => {
    const { products, problems } = parseProducts('# shop ids\n9007199254740993 = lipstick\n\n  42=serum \nbad line\n42 = other\n= x')
    expect(products).toEqual({ '9007199254740993': 'lipstick', '42': 'serum' })
    expect(problems.map((p) => [p.key, p.line])).toEqual([['cx.err.productLine', 5], ['cx.err.productDup', 6], ['cx.err.productLine', 7]])
    expect(formatProducts(products)).toBe('42 = serum\n9007199254740993 = lipstick')
    expect(parseProducts(formatProducts(products)).products).toEqual(products)
  })

  it('turns header lines into try headers', () => {
    expect(tryHeaders('X-Shopify-Topic: orders/paid\n\nX-Shopify-Hmac-Sha256: a:b=')).toEqual({
      headers: { 'X-Try-Header-X-Shopify-Topic': 'orders/paid', 'X-Try-Header-X-Shopify-Hmac-Sha256': 'a:b=' }, problems: [],
    })
    expect(tryHeaders('no colon\nbad name: x').problems.map((p) => p.line)).toEqual([1, 2])
  })

  const form = (o: Partial<ConnectorForm> = {}): ConnectorForm => ({
    source: 'shop', format: 'shopify', products: '', currency: '', giftRate: '', acceptTest: false, secret: '', generateSecret: false, ...o,
  })

  it('builds the PUT body with only what was set', () => {
    expect(connectorBody(form()).body).toEqual({ format: 'shopify' })
    expect(connectorBody(form({ products: '1 = a', currency: 'usd', giftRate: '0.5', acceptTest: true, secret: 's3cret' })).body).toEqual({
      format: 'shopify', products: { 1: 'a' }, currency: 'USD', gift_rate: '0.5', accept_test: true, secret: 's3cret',
    })
    expect(connectorBody(form({ generateSecret: true })).body).toEqual({ format: 'shopify', generate_secret: true })
    const spec = { id: 'msg.id', rules: [] }
    expect(connectorBody(form({ format: 'mapping', mapping: spec })).body).toEqual({ format: 'mapping', mapping: spec })
  })

  it('refuses what the server would refuse, naming the field', () => {
    const fields = (o: Partial<ConnectorForm>) => connectorBody(form(o)).problems.map((p) => p.field)
    expect(fields({ source: 'has space' })).toEqual(['source'])
    expect(fields({ source: '' })).toEqual(['source'])
    expect(fields({ format: '' })).toEqual(['format'])
    expect(fields({ currency: 'RMB1' })).toEqual(['currency'])
    expect(fields({ giftRate: '0' })).toEqual(['gift_rate'])
    expect(fields({ giftRate: '-1' })).toEqual(['gift_rate'])
    expect(fields({ giftRate: '1e3' })).toEqual(['gift_rate'])
    expect(fields({ secret: 'x', generateSecret: true })).toEqual(['secret'])
    expect(fields({ format: 'mapping' })).toEqual(['mapping'])
    expect(connectorBody(form({ currency: 'RMB1' })).body).toBeNull()
  })

  it('reads located problems at the top level or in the error envelope', () => {
    const p = { path: 'mapping.rules[0].fields.amount', message: 'unknown name totl', column: 5 }
    expect(serverProblems({ code: 'invalid', problems: [p] })).toEqual([p])
    expect(serverProblems({ error: { code: 'invalid', problems: [{ path: 'currency', message: 'bad' }] } })).toEqual([{ path: 'currency', message: 'bad', column: 0 }])
    expect(serverProblems({ error: { code: 'invalid' } })).toEqual([])
  })
})
