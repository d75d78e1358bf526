// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest'
import { h, syncList } from './dom'

describe('h', () => {
  it('renders user text as text, never as HTML', () => {
    const evil = '<img src=x onerror=alert(1)>'
    const el = h('div', { testid: 'x', text: evil })
    expect(el.textContent).toBe(evil)
    expect(el.querySelector('img')).toBeNull()
    const el2 = h('p', {}, evil, ' ', 42)
    expect(el2.childNodes.length).toBe(3)
    expect(el2.querySelector('img')).toBeNull()
    expect(el.getAttribute('data-testid')).toBe('x')
  })

  it('refuses inline event handler attributes', () => {
    expect(() => h('a', { attrs: { onclick: 'alert(1)' } })).toThrow()
  })

  it('attaches listeners with addEventListener', () => {
    let n = 0
    const b = h('button', { on: { click: () => n++ } })
    b.click()
    expect(n).toBe(1)
  })
})

describe('syncList', () => {
  it('reuses keyed nodes and keeps order', () => {
    const ul = h('ul')
    const mk = (s: string) => h('li', { text: s })
    syncList(ul, ['a', 'b', 'c'], (s) => s, mk)
    const b = ul.children[1]
    syncList(ul, ['z', 'a', 'b'], (s) => s, mk)
    expect(Array.from(ul.children).map((e) => e.textContent)).toEqual(['z', 'a', 'b'])
    expect(ul.children[2]).toBe(b)
    syncList(ul, ['b', 'a'], (s) => s, mk)
    expect(Array.from(ul.children).map((e) => e.textContent)).toEqual(['b', 'a'])
    syncList(ul, [], (s) => s, mk)
    expect(ul.children.length).toBe(0)
  })
})
