import { describe, expect, it } from 'vitest'
import { href, parseRoute } from '../router'
import { reviewPath, reviewQuery, routeExtra, windowChoices, windowOf } from './query'

describe('review query', () => {
  it.each([
    [null, 5],
    ['', 5],
    ['1', 1],
    ['60', 60],
    ['0', 5],
    ['61', 5],
    ['10.5', 5],
    ['-3', 5],
    ['1e1', 5],
  ])('window %s → %d', (raw, want) => {
    expect(windowOf(raw)).toBe(want)
  })

  it('reads compare and window from the route', () => {
    const r = parseRoute('#/review?room=r1&compare=r0&window=10')
    expect(r.name).toBe('review')
    expect(reviewQuery(r.rooms[0], r.params)).toEqual({ room: 'r1', compare: 'r0', window: 10 })
    expect(reviewQuery('r1', new URLSearchParams('compare=r1')).compare).toBe('')
    expect(reviewQuery('r1', new URLSearchParams('compare=<x>')).compare).toBe('')
  })

  it('builds API paths, leaving out the default window', () => {
    expect(reviewPath({ room: 'r1', compare: '', window: 5 })).toBe('/api/v1/rooms/r1/review')
    expect(reviewPath({ room: 'r1', compare: 'r0', window: 10 })).toBe('/api/v1/rooms/r1/review?compare=r0&window=10')
    expect(reviewPath({ room: 'r1', compare: 'r0', window: 5 }, 'csv')).toBe('/api/v1/rooms/r1/review?format=csv')
    expect(reviewPath({ room: 'r1', compare: 'r0', window: 5 }, 'html')).toBe('/api/v1/rooms/r1/review?compare=r0&format=html')
    expect(reviewPath({ room: 'r1', compare: '', window: 15 }, 'html')).toBe('/api/v1/rooms/r1/review?window=15&format=html')
  })

  it('round-trips through the page address', () => {
    const q = { room: 'r1', compare: 'r0', window: 15 }
    const link = href('review', ['r1'], routeExtra(q))
    expect(link).toBe('#/review?room=r1&compare=r0&window=15')
    const r = parseRoute(link)
    expect(reviewQuery(r.rooms[0], r.params)).toEqual(q)
    expect(routeExtra({ room: 'r1', compare: '', window: 5 })).toEqual({})
  })

  it('offers the current window among the choices', () => {
    expect(windowChoices(5)).toEqual([1, 2, 3, 5, 10, 15, 30, 60])
    expect(windowChoices(7)).toEqual([1, 2, 3, 5, 7, 10, 15, 30, 60])
  })
})
