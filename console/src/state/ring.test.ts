import { describe, expect, it } from 'vitest'
import { Ring } from './ring'

describe('Ring', () => {
  it('keeps the newest items up to capacity', () => {
    const r = new Ring<number>(3)
    for (let i = 1; i <= 5; i++) r.push(i)
    expect(r.size).toBe(3)
    expect(r.toArray()).toEqual([3, 4, 5])
    expect(r.last()).toBe(5)
    expect(r.at(0)).toBe(3)
    expect(r.at(3)).toBeUndefined()
    expect(r.total).toBe(5)
  })

  it('lists newest first with a filter', () => {
    const r = new Ring<number>(10)
    for (let i = 1; i <= 10; i++) r.push(i)
    expect(r.newest(3, (n) => n % 2 === 0)).toEqual([10, 8, 6])
    expect(r.newest(100).length).toBe(10)
  })

  it('stays bounded over a long session', () => {
    const r = new Ring<{ i: number }>(500)
    for (let i = 0; i < 100_000; i++) r.push({ i })
    expect(r.size).toBe(500)
    expect(r.at(0)?.i).toBe(99_500)
  })

  it('clears', () => {
    const r = new Ring<number>(2)
    r.push(1)
    r.clear()
    expect(r.size).toBe(0)
    expect(r.toArray()).toEqual([])
  })

  it('refuses a zero capacity', () => {
    expect(() => new Ring(0)).toThrow()
  })
})
