import { describe, expect, it } from 'vitest'
import { href, parseRoute } from './router'

describe('router', () => {
  it.each([
    ['#/operator?rooms=r1,r2', 'operator', ['r1', 'r2']],
    ['#/wall?rooms=r1,r2', 'wall', ['r1', 'r2']],
    ['#/host?room=r1&transparent=1', 'host', ['r1']],
    ['#/producer?room=r1', 'producer', ['r1']],
    ['#/host?room=a,b', 'host', ['a']],
    ['#/operator', 'rooms', []],
    ['#/operator?rooms=<x>,ok,ok', 'operator', ['ok']],
    ['', 'rooms', []],
    ['#/nowhere', 'rooms', []],
    ['#/review?room=r1', 'review', ['r1']],
    ['#/review?room=r1,r2&compare=r0', 'review', ['r1']],
    ['#/review', 'rooms', []],
    ['#/review?room=../etc', 'rooms', []],
    ['#/connectors?room=r1,r2', 'connectors', ['r1']],
    ['#/connectors', 'rooms', []],
  ])('%s', (hash, name, rooms) => {
    const r = parseRoute(hash)
    expect(r.name).toBe(name)
    expect(r.rooms).toEqual(rooms)
  })

  it('keeps extra params', () => {
    expect(parseRoute('#/host?room=r1&transparent=1').params.get('transparent')).toBe('1')
    expect(parseRoute('#/review?room=r1&compare=r0&window=10').params.get('compare')).toBe('r0')
  })

  it('builds links', () => {
    expect(href('operator', ['r1', 'r2'])).toBe('#/operator?rooms=r1,r2')
    expect(href('wall', ['r1', 'r2'])).toBe('#/wall?rooms=r1,r2')
    expect(href('host', ['r1'], { transparent: '1' })).toBe('#/host?room=r1&transparent=1')
    expect(href('rooms')).toBe('#/rooms')
    expect(href('review', ['r1'], { compare: 'r0' })).toBe('#/review?room=r1&compare=r0')
  })
})
