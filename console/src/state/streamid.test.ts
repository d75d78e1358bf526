import { describe, expect, it } from 'vitest'
import { compareStreamIds, parseStreamId, ResumeBook, type KV } from './streamid'

describe('stream ids', () => {
  it.each([
    ['1-0', '2-0', -1],
    ['9-0', '10-0', -1], // numeric, not lexical
    ['10-2', '10-10', -1],
    ['5-5', '5-5', 0],
    ['1732280000000-1', '1732280000000-0', 1],
    ['7', '7-0', 0],
  ])('compare(%s, %s) = %d', (a, b, want) => {
    expect(Math.sign(compareStreamIds(a, b))).toBe(want)
  })

  it('parses', () => {
    expect(parseStreamId('12-3')).toEqual([12, 3])
    expect(parseStreamId('x-1')).toBeNull()
    expect(parseStreamId('')).toBeNull()
  })
})

function memKV(init: Record<string, string> = {}): KV & { data: Record<string, string> } {
  const data = { ...init }
  return { data, getItem: (k) => data[k] ?? null, setItem: (k, v) => void (data[k] = v) }
}

describe('ResumeBook', () => {
  it('keeps the newest id per room and builds the resume parameter', () => {
    const b = new ResumeBook()
    expect(b.note('r1', '10-0')).toBe(true)
    expect(b.note('r1', '9-0')).toBe(false)
    expect(b.note('r1', '10-0')).toBe(false)
    expect(b.note('r2', '3-1')).toBe(true)
    expect(b.param(['r1', 'r2', 'r3'])).toBe('r1:10-0,r2:3-1')
    expect(b.param(['r3'])).toBe('')
  })

  it('says which ids were already applied', () => {
    const b = new ResumeBook()
    expect(b.seen('r1', '1-0')).toBe(false)
    b.note('r1', '5-0')
    expect(b.seen('r1', '4-9')).toBe(true)
    expect(b.seen('r1', '5-0')).toBe(true)
    expect(b.seen('r1', '5-1')).toBe(false)
  })

  it('ignores ids that are not stream ids', () => {
    const b = new ResumeBook()
    expect(b.note('r1', 'bogus')).toBe(false)
    expect(b.param(['r1'])).toBe('')
  })

  it('survives a page reload through storage', () => {
    const kv = memKV()
    new ResumeBook(kv).note('r1', '42-0')
    expect(new ResumeBook(kv).last('r1')).toBe('42-0')
  })

  it('starts empty from corrupt storage', () => {
    const kv = memKV({ 'livedeck.resume': '{not json' })
    expect(new ResumeBook(kv).param(['r1'])).toBe('')
    const kv2 = memKV({ 'livedeck.resume': '{"r1":"<script>","r2":"5-0"}' })
    expect(new ResumeBook(kv2).param(['r1', 'r2'])).toBe('r2:5-0')
  })
})
