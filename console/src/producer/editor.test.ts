import { Text } from '@codemirror/state'
import { describe, expect, it } from 'vitest'
import { diagnosticsOf, offsetOf } from './editor'

describe('rule editor marks', () => {
  const doc = Text.of(['rules:', '- name: crowd', '  when: online >= 1OOO', '  actions: []'])

  it('finds a line and column, clamped to the text', () => {
    expect(offsetOf(doc, 1)).toBe(0)
    expect(offsetOf(doc, 2, 3)).toBe(9)
    expect(offsetOf(doc, 99)).toBe(doc.line(4).from)
    expect(offsetOf(doc, 1, 99)).toBe(6)
  })

  it('underlines from the column to the end of the line, or the line from its indent', () => {
    const l3 = doc.line(3)
    expect(diagnosticsOf(doc, [{ line: 3, col: 20, message: 'bad number', severity: 'error' }]))
      .toEqual([{ from: l3.from + 19, to: l3.to, message: 'bad number', severity: 'error' }])
    expect(diagnosticsOf(doc, [{ line: 3, message: 'x', severity: 'warning' }])[0]).toMatchObject({ from: l3.from + 2, to: l3.to, severity: 'warning' })
  })
})
