// @vitest-environment happy-dom
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { ApiError } from '../api'
import { setLang } from '../i18n'
import { en } from '../messages/en'
import { zh } from '../messages/zh'
import { apiErrorText, forbiddenPage, mayOpen } from './forbidden'
import { roomLinks, statusLabel } from './rooms'
import { tierLabel } from './tier'

afterEach(() => setLang('en'))

describe('doors by role', () => {
  it('follows the server policy', () => {
    const views = ['rooms', 'operator', 'host', 'producer', 'review', 'connectors', 'wall'] as const
    const open = (role: string) => views.filter((v) => mayOpen(v, role))
    expect(open('admin')).toEqual([...views])
    expect(open('producer')).toEqual(['rooms', 'operator', 'host', 'producer', 'review', 'wall'])
    expect(open('operator')).toEqual(['rooms', 'operator', 'host', 'review', 'wall'])
    expect(open('host')).toEqual(['rooms', 'host'])
    expect(open('')).toEqual([...views]) // not known yet: the server decides
  })

  it('links a room only to the views the role may open', () => {
    const names = (role: string) => roomLinks('r1', role).filter((x) => typeof x !== 'string').map((a) => (a as HTMLElement).dataset.testid)
    expect(names('host')).toEqual(['room-host-r1'])
    expect(names('operator')).toEqual(['room-operator-r1', 'room-host-r1', 'room-review-r1'])
    expect(names('admin')).toContain('room-connectors-r1')
    expect(roomLinks('r1', 'host').filter((x) => x === ' · ')).toEqual([])
  })
})

describe('refusals in words', () => {
  it('has a message for every server error code, in both languages', () => {
    const codes = [...readFileSync(resolve(process.cwd(), '..', 'error.go'), 'utf8').matchAll(/\bE[A-Z]+\s*=\s*"([a-z_]+)"/g)].map((m) => m[1])
    expect(codes.length).toBeGreaterThan(5)
    for (const c of codes) {
      expect(en, c).toHaveProperty(`error.${c}`)
      expect(zh, c).toHaveProperty(`error.${c}`)
    }
  })

  it('explains an API error instead of showing it raw', () => {
    setLang('zh-CN')
    const raw = new ApiError(403, 'forbidden', 'role operator may not POST /api/v1/rooms/:room/rules/validate')
    expect(apiErrorText(raw)).toBe('您的角色无权执行此操作。')
    expect(apiErrorText(new ApiError(0, 'network', 'Failed to fetch'))).toBe('无法连接服务器，请检查网络。')
    expect(apiErrorText(new ApiError(400, 'invalid', 'rules[0].when: unknown name onlin'))).toBe('服务器拒绝了该值：rules[0].when: unknown name onlin')
    expect(apiErrorText(new ApiError(502, '502', 'Bad Gateway'))).toBe('服务器出错了。')
    const page = forbiddenPage('只有管理员或制片可以编辑规则。')
    expect(page.textContent).toContain('返回直播间列表')
    expect(page.querySelector('a')!.getAttribute('href')).toBe('#/rooms')
  })

  it('says room statuses and tiers in words', () => {
    setLang('zh-CN')
    expect([statusLabel('live'), statusLabel('closed'), statusLabel(undefined), statusLabel('paused')]).toEqual(['直播中', '已结束', '直播中', 'paused'])
    expect(tierLabel({ name: 'tier-2000', coupon: '满199减20', threshold: 19900, discount: 2000 })).toBe('满 ¥199.00 减 ¥20.00')
    expect(tierLabel({ name: '满减档', coupon: '满199减20' })).toBe('满减档')
    expect(tierLabel({ name: 'tier-500' })).toBe('')
    expect(tierLabel({ name: '满199减20', coupon: '满199减20' })).toBe('')
    expect(tierLabel(null)).toBe('')
    setLang('en')
    expect(tierLabel({ name: 'tier-2000', threshold: 19900, discount: 2000 })).toBe('Spend ¥199.00, save ¥20.00')
  })
})
