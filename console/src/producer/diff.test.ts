import { describe, expect, it } from 'vitest'
import { diffLines } from './diff'

const show = (a: string, b: string, limit?: number) => diffLines(a, b, limit).map((l) => l.op + l.text)

describe('diffLines', () => {
  it('marks changed lines', () => {
    expect(show('a\nb\nc', 'a\nB\nc')).toEqual([' a', '+B', '-b', ' c'])
  })

  it('handles inserts, deletes and identical texts', () => {
    expect(show('a\nc', 'a\nb\nc')).toEqual([' a', '+b', ' c'])
    expect(show('a\nb\nc', 'a\nc')).toEqual([' a', '-b', ' c'])
    expect(show('x', 'x')).toEqual([' x'])
    expect(show('', 'a')).toEqual(['+a', '-'])
  })

  it('falls back for huge inputs', () => {
    expect(show('a\nb\nc', 'x\ny\nz', 4)).toEqual(['-a', '-b', '-c', '+x', '+y', '+z'])
  })
})
