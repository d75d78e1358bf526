// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { setLang } from '../i18n'
import { sampleReview } from './fixture'
import { problemOf } from './load'
import { reviewView } from './view'
import { ApiError } from '../api'

type Answer = { status: number; body: unknown } | Error
type Routes = Record<string, Answer | ((init: RequestInit) => Answer)>

let calls: { url: string; method: string }[] = []

/** A fetch answering by "METHOD path?query"; anything else is a 404. */
function serve(routes: Routes): void {
  calls = []
  vi.stubGlobal('fetch', async (url: string, init: RequestInit) => {
    const method = init?.method ?? 'GET'
    calls.push({ url, method })
    const r = routes[`${method} ${url}`]
    const a = typeof r === 'function' ? r(init) : r ?? { status: 404, body: { error: { code: 'not_found', message: `no ${url}` } } }
    if (a instanceof Error) throw a
    return new Response(JSON.stringify(a.body), { status: a.status, headers: { 'Content-Type': 'application/json' } })
  })
}

const ok = (body: unknown): Answer => ({ status: 200, body })
const base: Routes = {
  'GET /api/v1/rooms': ok([{ id: 'r1', status: 'closed' }, { id: 'r0', title: 'last week', status: 'closed' }, { id: 'r2', status: 'live' }]),
  'GET /api/auth/me': ok({ role: 'operator' }),
}

async function mount(routes: Routes, hash = '') {
  serve({ ...base, ...routes })
  const root = document.createElement('main')
  document.body.replaceChildren(root)
  const params = new URLSearchParams(hash)
  const view = reviewView(root, 'r1', params)
  const el = root.querySelector('[data-testid="review-view"]') as HTMLElement
  await vi.waitFor(() => expect(el.dataset.state).not.toBe('loading'))
  return { root, el, view }
}

const q = (root: Element, id: string) => root.querySelector(`[data-testid="${id}"]`) as HTMLElement
const qa = (root: Element, id: string) => Array.from(root.querySelectorAll(`[data-testid="${id}"]`)) as HTMLElement[]

beforeEach(() => setLang('en'))
afterEach(() => vi.unstubAllGlobals())

describe('review view', () => {
  it('renders every part and shows viewer text as text', async () => {
    const { root, el, view } = await mount({ 'GET /api/v1/rooms/r1/review': ok(sampleReview()) })
    expect(el.dataset.ready).toBe('1')
    expect(el.dataset.state).toBe('ready')
    expect(root.querySelector('img, script, b')).toBeNull()
    expect(q(root, 'review-questions').textContent).toContain('<script>alert(1)</script> 有没有优惠?')
    expect(q(root, 'review-kpi-gmv-value').textContent).toBe('¥12,345.00')
    expect(q(root, 'review-kpi-conversion-value').textContent).toBe('4.00%')
    expect(q(root, 'review-kpi-duration-value').textContent).toBe('3:00')
    expect(qa(root, 'review-tier-row').map((r) => r.firstElementChild!.textContent)).toEqual(['Regular price', '满199减20 T1'])
    expect(qa(root, 'review-sku-row').map((r) => r.firstElementChild!.textContent)).toEqual(['B <b>粉底</b>', 'A 口红'])
    // Paid traffic: most spend first, each channel's ROI; the fixture has no headline spend.
    expect(qa(root, 'review-channel-row').map((r) => r.textContent)).toEqual(['qianchuan¥3,000.00¥9,000.00203.00', 'douplus¥1,000.00¥1,500.0041.50'])
    expect(q(root, 'review-chart').dataset).toMatchObject({ points: '3', marks: '4' })
    expect(q(root, 'review-partial').hidden).toBe(true)
    expect(q(root, 'review-compare').hidden).toBe(true)
    expect(q(root, 'review-end').hidden).toBe(true)
    expect(q(root, 'review-export-csv').getAttribute('href')).toBe('/api/v1/rooms/r1/review?format=csv')

    const [late, cue] = qa(root, 'review-cue-row')
    expect(late.textContent).toContain('3 (0 measured)')
    expect(late.querySelectorAll('.delta').length).toBe(0)
    expect(Array.from(cue.querySelectorAll('.delta')).map((d) => d.getAttribute('data-dir'))).toEqual(['up', 'down', 'up', 'up', 'down'])
    expect(cue.textContent).toContain('2.00 → 2.50')
    expect(cue.textContent).toContain('8.00% → 6.00%')
    expect(cue.textContent).toContain('2.00% → 3.50%')
    expect(cue.textContent).toContain('▲ +1.50 pp')
    expect(cue.textContent).toContain('▼ -¥1.00')

    const rows = () => qa(root, 'review-marker-row')
    expect(rows().map((r) => r.dataset.kind)).toEqual(['tier', 'cue', 'alert', 'cue'])
    expect(rows()[1].dataset.acked).toBe('false')
    expect(rows()[1].textContent).toContain('Needed an ack')
    q(root, 'review-markers-cue').click()
    expect(rows().length).toBe(2)
    view.destroy()
  })

  it('re-fetches with another cue window and keeps it in the address', async () => {
    const { root, el } = await mount({
      'GET /api/v1/rooms/r1/review': ok(sampleReview()),
      'GET /api/v1/rooms/r1/review?window=10': ok(sampleReview({ window_min: 10 })),
    })
    const sel = q(root, 'review-window') as HTMLSelectElement
    sel.value = '10'
    sel.dispatchEvent(new Event('change'))
    await vi.waitFor(() => expect(el.dataset.ready).toBe('1'))
    expect(calls.map((c) => c.url)).toContain('/api/v1/rooms/r1/review?window=10')
    expect(location.hash).toBe('#/review?room=r1&window=10')
    expect((q(root, 'review-window') as HTMLSelectElement).value).toBe('10')
    expect(q(root, 'review-export-html').getAttribute('href')).toBe('/api/v1/rooms/r1/review?window=10&format=html')
  })

  it('shows a comparison beside the review', async () => {
    const earlier = sampleReview({ room: 'r0', headline: { ...(sampleReview().headline as object), gmv: 1_000_000 } })
    const { root } = await mount({
      'GET /api/v1/rooms/r1/review?compare=r0': ok({ review: sampleReview(), earlier, change: { gmv: 234_500 } }),
    }, 'compare=r0')
    expect(q(root, 'review-compare').hidden).toBe(false)
    const gmv = q(root, 'review-compare-gmv')
    expect(gmv.dataset.tone).toBe('good')
    expect(gmv.textContent).toContain('+¥2,345.00')
    expect((q(root, 'review-compare-picker') as HTMLSelectElement).value).toBe('r0')
    expect(q(root, 'review-export-html').getAttribute('href')).toBe('/api/v1/rooms/r1/review?compare=r0&format=html')
    expect(q(root, 'review-export-csv').getAttribute('href')).toBe('/api/v1/rooms/r1/review?format=csv')
  })

  it('shows the review alone when the comparison fails', async () => {
    const { root, el } = await mount({ 'GET /api/v1/rooms/r1/review': ok(sampleReview()) }, 'compare=gone')
    expect(el.dataset.ready).toBe('1')
    expect(q(root, 'review-compare-error').textContent).toContain('gone')
    expect(q(root, 'review-export-html').getAttribute('href')).toBe('/api/v1/rooms/r1/review?format=html')
  })

  it('ends a live broadcast after a confirm step', async () => {
    const { root } = await mount({
      'GET /api/v1/rooms/r1/review': ok(sampleReview({ status: 'live' })),
      'GET /api/auth/me': ok({ role: 'producer' }),
      'POST /api/v1/rooms/r1/close': ok(sampleReview({ status: 'closed' })),
    })
    await vi.waitFor(() => expect(q(root, 'review-end').hidden).toBe(false))
    expect(q(root, 'review-status').dataset.status).toBe('live')
    q(root, 'review-end-start').click()
    expect(calls.some((c) => c.method === 'POST')).toBe(false)
    q(root, 'review-end-cancel').click()
    q(root, 'review-end-start').click()
    q(root, 'review-end-confirm').click()
    await vi.waitFor(() => expect(q(root, 'review-status').dataset.status).toBe('closed'))
    expect(calls.filter((c) => c.method === 'POST').map((c) => c.url)).toEqual(['/api/v1/rooms/r1/close'])
    expect(q(root, 'review-end').hidden).toBe(true)
  })

  it('fetches the chosen cue window again after the close', async () => {
    let closed = false
    const { root } = await mount({
      'GET /api/v1/rooms/r1/review?window=10': () => ok(sampleReview({ status: closed ? 'closed' : 'live', window_min: 10 })),
      'GET /api/auth/me': ok({ role: 'admin' }),
      'POST /api/v1/rooms/r1/close': () => {
        closed = true
        return ok(sampleReview({ status: 'closed', window_min: 5 }))
      },
    }, 'window=10')
    await vi.waitFor(() => expect(q(root, 'review-end').hidden).toBe(false))
    q(root, 'review-end-start').click()
    q(root, 'review-end-confirm').click()
    await vi.waitFor(() => expect(calls.filter((c) => c.url.endsWith('window=10')).length).toBe(2))
    await vi.waitFor(() => expect((q(root, 'review-window') as HTMLSelectElement).value).toBe('10'))
    expect(q(root, 'review-status').dataset.status).toBe('closed')
    expect(q(root, 'review-end').hidden).toBe(true)
  })

  it('offers no end button to an operator, and says why a close was refused', async () => {
    const { root } = await mount({ 'GET /api/v1/rooms/r1/review': ok(sampleReview({ status: 'live' })) })
    await new Promise((r) => setTimeout(r, 0))
    expect(q(root, 'review-end').hidden).toBe(true)

    const again = await mount({
      'GET /api/v1/rooms/r1/review': ok(sampleReview({ status: 'live' })),
      'GET /api/auth/me': ok({ role: 'admin' }),
      'POST /api/v1/rooms/r1/close': { status: 403, body: { error: { code: 'forbidden', message: 'no' } } },
    })
    await vi.waitFor(() => expect(q(again.root, 'review-end').hidden).toBe(false))
    q(again.root, 'review-end-start').click()
    q(again.root, 'review-end-confirm').click()
    await vi.waitFor(() => expect(q(again.root, 'review-end-error').textContent).toContain('admin or producer'))
  })

  it('explains an unknown room without offering a retry', async () => {
    const { root, el } = await mount({})
    expect(el.dataset.state).toBe('error')
    expect(el.dataset.ready).toBeUndefined()
    expect(q(root, 'review-error-text').textContent).toBe('Room r1 does not exist.')
    expect(q(root, 'review-retry').hidden).toBe(true)
    expect(q(root, 'review-content').hidden).toBe(true)
  })

  it('retries after a network failure', async () => {
    const { root, el } = await mount({ 'GET /api/v1/rooms/r1/review': new TypeError('Failed to fetch') })
    expect(q(root, 'review-error-text').textContent).toContain('Cannot reach the server')
    serve({ ...base, 'GET /api/v1/rooms/r1/review': ok(sampleReview()) })
    q(root, 'review-retry').click()
    await vi.waitFor(() => expect(el.dataset.ready).toBe('1'))
    expect(q(root, 'review-error').hidden).toBe(true)
  })
})

describe('review problems', () => {
  it.each([
    [new ApiError(403, 'forbidden', 'x'), 'You are not allowed to see the review of r1.', false],
    [new ApiError(404, 'not_found', 'x'), 'Room r1 does not exist.', false],
    [new ApiError(0, 'network', 'x'), 'Cannot reach the server. Check the connection and try again.', true],
    [new ApiError(503, 'unavailable', 'redis down'), 'Error: redis down', true],
    [new ApiError(400, 'invalid', 'window must be 1..60'), 'Error: window must be 1..60', false],
  ])('%s', (e, message, retry) => {
    setLang('en')
    expect(problemOf(e, 'r1')).toEqual({ message, retry })
  })
})
