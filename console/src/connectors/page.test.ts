// @vitest-environment happy-dom
// The admin page against the connector API's answers as the contract gives
// them (the real server is driven by e2e/connectors_test.go).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { setMe } from '../api'
import { setLang } from '../i18n'
import { connectorsView } from './page'

interface Call { method: string; url: string; body: string; headers: Record<string, string> }

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })

function server(answer: (c: Call) => Response | undefined) {
  const calls: Call[] = []
  vi.stubGlobal('fetch', async (url: string, init: RequestInit) => {
    const c = { method: init?.method ?? 'GET', url, body: String(init?.body ?? ''), headers: (init?.headers ?? {}) as Record<string, string> }
    calls.push(c)
    return answer(c) ?? json(404, { error: { code: 'not_found', message: 'no route' } })
  })
  return calls
}

const formats = [
  { format: 'shopify', platform: 'shopify', signed: true, kinds: ['orders/create', 'orders/paid'] },
  { format: 'bilibili', platform: 'bilibili', signed: false, kinds: ['DANMU_MSG'] },
  { format: 'mapping', platform: 'custom', signed: false, kinds: [] },
]
const stats = { last_message_at: null, messages: 0, per_min: 0, accepted: 0, duplicates: 0, ignored: 0, signature_failures: 0, dead_letters: 0 }
const saved = (source: string, format: string, extra: Record<string, unknown> = {}) => ({
  source, format, platform: format, settings: { format }, has_secret: format === 'shopify',
  ingest_url: `/api/v1/rooms/r1/events?format=${format}&source=${source}`, stats, ...extra,
})

const tick = async (n = 5) => { for (let i = 0; i < n; i++) await new Promise((r) => setTimeout(r, 0)) }
const q = <T extends HTMLElement = HTMLElement>(root: HTMLElement, id: string) => root.querySelector<T>(`[data-testid="${id}"]`)!
const type = (el: HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement, v: string) => {
  el.value = v
  el.dispatchEvent(new Event(el.tagName === 'SELECT' ? 'change' : 'input', { bubbles: true }))
}

let root: HTMLElement
beforeEach(() => {
  root = document.createElement('div')
  document.body.replaceChildren(root)
  setMe({ role: 'admin', csrf_token: 'tok' })
})
afterEach(() => {
  vi.unstubAllGlobals()
  setMe(null)
  setLang('en')
})

describe('connector admin page', () => {
  it('adds a signed connector with a generated secret and shows its URL and the secret once', async () => {
    let list: unknown[] = []
    const calls = server((c) => {
      if (c.url === '/api/v1/connectors/formats') return json(200, formats)
      if (c.url === '/api/v1/rooms/r1/connectors' && c.method === 'GET') return json(200, list)
      if (c.url === '/api/v1/rooms/r1/connectors/shop' && c.method === 'PUT') {
        list = [saved('shop', 'shopify')]
        return json(200, { ...saved('shop', 'shopify'), secret: 'generated-secret-1' })
      }
      if (c.url === '/api/v1/rooms/r1/dead-letters?source=shop&count=50') return json(200, [])
      return undefined
    })
    const view = connectorsView(root, 'r1')
    await tick()
    expect(q(root, 'cx-none').hidden).toBe(false)
    type(q(root, 'cx-format'), 'shopify')
    expect(q(root, 'cx-secret-box').hidden).toBe(false)
    expect(q(root, 'cx-format-hint').textContent).toContain('signed by the platform')
    type(q(root, 'cx-source'), 'shop')
    type(q(root, 'cx-products'), '7001 = lipstick')
    type(q(root, 'cx-currency'), 'usd')
    q<HTMLInputElement>(root, 'cx-generate').click()
    q<HTMLFormElement>(root, 'cx-form').dispatchEvent(new Event('submit', { cancelable: true }))
    await tick()
    const put = calls.find((c) => c.method === 'PUT')!
    expect(JSON.parse(put.body)).toEqual({ format: 'shopify', products: { 7001: 'lipstick' }, currency: 'USD', generate_secret: true })
    expect(put.headers['X-CSRF-Token']).toBe('tok')
    expect(q<HTMLInputElement>(root, 'cx-url').value).toBe(`${location.origin}/api/v1/rooms/r1/events?format=shopify&source=shop`)
    expect(q(root, 'cx-secret-notice').hidden).toBe(false)
    expect(q<HTMLInputElement>(root, 'cx-secret-once').value).toBe('generated-secret-1')
    expect(q(root, 'cx-status').textContent).toBe('Saved shop.')
    await tick()
    expect(root.querySelectorAll('[data-testid="cx-row"]').length).toBe(1)
    view.destroy()
  })

  it('tries a sample through the saved connector and shows each message', async () => {
    const calls = server((c) => {
      if (c.url === '/api/v1/connectors/formats') return json(200, formats)
      if (c.url === '/api/v1/rooms/r1/connectors' && c.method === 'GET') return json(200, [saved('bili', 'bilibili', { stats: { ...stats, ignored: 1, dead_letters: 1 } })])
      if (c.url.startsWith('/api/v1/rooms/r1/dead-letters?')) return json(200, [{ id: '1-0', source: 'bili', format: 'bilibili', index: 0, message_id: '', kind: 'SEND_GIFT', reason: 'gift without a name', raw: '{"cmd":"SEND_GIFT"}', received_at: Date.now() }])
      if (c.url === '/api/v1/rooms/r1/dead-letters/replay') return json(200, { replayed: 1, accepted: 1, duplicates: 0, failed: 0, remaining: 0 })
      if (c.url === '/api/v1/rooms/r1/connectors/bili/try') {
        return json(200, {
          signature: 'not checked', messages: [
            { index: 0, id: 'a', kind: 'DANMU_MSG', events: [{ id: 'bili:a', type: 'comment', text: 'hi' }], ignored: false, error: '' },
            { index: 1, id: '', kind: 'WATCHED_CHANGE', events: [], ignored: true, error: '' },
          ],
        })
      }
      return undefined
    })
    const view = connectorsView(root, 'r1')
    await tick()
    expect(q(root, 'cx-try-send').hasAttribute('disabled')).toBe(true) // nothing saved is selected
    q<HTMLButtonElement>(root, 'cx-edit').click()
    await tick()
    expect(q<HTMLSelectElement>(root, 'cx-format').value).toBe('bilibili')
    expect(q(root, 'cx-secret-box').hidden).toBe(true) // forwarded formats carry no platform secret
    expect(q(root, 'cx-unsigned').hidden).toBe(false)
    type(q(root, 'cx-try-sample'), '{"cmd":"DANMU_MSG"}')
    type(q(root, 'cx-try-headers'), 'X-Test: 1')
    q<HTMLButtonElement>(root, 'cx-try-send').click()
    await tick()
    const tried = calls.find((c) => c.url.endsWith('/try'))!
    expect([tried.method, tried.body, tried.headers['X-Try-Header-X-Test']]).toEqual(['POST', '{"cmd":"DANMU_MSG"}', '1'])
    const msgs = Array.from(root.querySelectorAll<HTMLElement>('[data-testid="cx-try-message"]'))
    expect(msgs.map((m) => m.dataset.outcome)).toEqual(['events', 'ignored'])
    expect(q(root, 'cx-try-events').textContent).toBe('{"id":"bili:a","type":"comment","text":"hi"}')
    expect(q(root, 'cx-try-signature').textContent).toBe('Signature: not checked')

    expect(root.querySelectorAll('[data-testid="cx-dead-row"]').length).toBe(1)
    q<HTMLButtonElement>(root, 'cx-replay').click()
    await tick()
    expect(JSON.parse(calls.find((c) => c.url.endsWith('/replay'))!.body)).toEqual({ source: 'bili', ids: ['1-0'] })
    expect(q(root, 'cx-replay-result').textContent).toBe('Replayed 1: 1 accepted, 0 duplicates, 0 failed, 0 remaining.')
    view.destroy()
  })

  it('marks a mapping the server refuses at the line of each located problem', async () => {
    server((c) => {
      if (c.url === '/api/v1/connectors/formats') return json(200, formats)
      if (c.url === '/api/v1/rooms/r1/connectors' && c.method === 'GET') return json(200, [])
      if (c.method === 'PUT') {
        return json(400, { error: { code: 'invalid', field: 'mapping', message: 'the mapping has 1 problem' }, problems: [{ path: 'mapping.rules[0].fields.amount', message: 'unknown name totl', column: 5 }] })
      }
      return undefined
    })
    const view = connectorsView(root, 'r1')
    await tick()
    type(q(root, 'cx-format'), 'mapping')
    expect(q(root, 'cx-mapping-box').hidden).toBe(false)
    expect(q<HTMLTextAreaElement>(root, 'cx-mapping').value).toContain('rules:') // an example to start from
    type(q(root, 'cx-source'), 'myshop')
    type(q(root, 'cx-mapping'), 'id: msg.id\nrules:\n  - type: order\n    fields:\n      amount: msg.totl\n')
    q<HTMLFormElement>(root, 'cx-form').dispatchEvent(new Event('submit', { cancelable: true }))
    await tick()
    const problem = q(root, 'cx-mapping-problem')
    expect(problem.dataset.line).toBe('5')
    expect(problem.textContent).toBe('line 5, column 19 · mapping.rules[0].fields.amount: unknown name totl')
    expect(q(root, 'cx-status').textContent).toBe('Not saved: the mapping has 1 problem')

    // A syntax error is marked as it is typed, and nothing is sent.
    vi.useFakeTimers()
    type(q(root, 'cx-mapping'), 'id: msg.id\nrules: [\n')
    vi.advanceTimersByTime(300)
    vi.useRealTimers()
    expect(q(root, 'cx-mapping-problem').dataset.line).toBe('3')
    view.destroy()
  })

  it('tells a non-admin that only admins manage connectors, with the way back', async () => {
    const calls = server(() => undefined)
    setMe({ role: 'operator' })
    setLang('zh-CN')
    connectorsView(root, 'r1')
    expect(q(root, 'forbidden').textContent).toContain('只有管理员可以管理连接器')
    expect(q(root, 'forbidden-back').getAttribute('href')).toBe('#/rooms')
    expect(calls).toEqual([])
  })
})
