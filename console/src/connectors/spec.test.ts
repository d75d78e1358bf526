import { describe, expect, it } from 'vitest'
import { locate, parseSpec, pathSegments, SPEC_EXAMPLE, specText } from './spec'

const yamlSpec = `id: msg.id
rules:
  - when: msg.topic == "order"
    type: order
    fields:
      order_id: msg.id
      amount: msg.totl
  - type: comment
    fields:
      text: "msg.body"
`

describe('mapping spec text', () => {
  it('reads YAML and JSON', () => {
    expect(parseSpec(yamlSpec).spec).toMatchObject({ id: 'msg.id', rules: [{ type: 'order' }, { type: 'comment' }] })
    expect(parseSpec('{"id":"msg.id","rules":[]}')).toEqual({ spec: { id: 'msg.id', rules: [] }, error: null })
    expect(parseSpec('  ')).toEqual({ spec: undefined, error: null })
    expect(parseSpec(SPEC_EXAMPLE).error).toBeNull()
  })

  it('says where a syntax error is', () => {
    expect(parseSpec('id: msg.id\nrules:\n  - type: order\n   fields: [\n').error).toMatchObject({ line: 4 })
    expect(parseSpec('{"id": "x",\n "rules": [}').error?.line).toBe(2)
    expect(parseSpec('id: a\nid: b\n').error?.line).toBe(2) // a key twice
    expect(parseSpec('- just\n- a list\n').error?.line).toBe(1)
  })

  it('splits server paths, the mapping prefix dropped', () => {
    expect(pathSegments('mapping.rules[0].fields.amount')).toEqual(['rules', 0, 'fields', 'amount'])
    expect(pathSegments('rules[12].when')).toEqual(['rules', 12, 'when'])
  })

  it('finds the line and column of a path the server names', () => {
    // amount: msg.totl is line 7; the value starts at column 15; column 5 inside it is "totl".
    expect(locate(yamlSpec, 'mapping.rules[0].fields.amount', 5)).toEqual({ line: 7, col: 19, exact: true })
    expect(locate(yamlSpec, 'mapping.rules[1].fields.text', 1)).toEqual({ line: 10, col: 14, exact: true }) // the quote at 13 skipped
    expect(locate(yamlSpec, 'mapping.rules[1].type')).toEqual({ line: 8, col: 11, exact: true })
    // A missing key: the nearest node that exists.
    expect(locate(yamlSpec, 'mapping.rules[1].fields.user_id')).toMatchObject({ line: 10, exact: false })
    const json = '{\n  "id": "msg.id",\n  "rules": [\n    {"type": "order", "fields": {"amount": "msg.x"}}\n  ]\n}'
    expect(locate(json, 'mapping.rules[0].fields.amount')?.line).toBe(4)
    expect(locate('id: [', 'mapping.id')).toBeNull()
    expect(locate(yamlSpec, 'mapping.nothing')).toBeNull()
  })

  it('writes a saved spec back as YAML that reads the same', () => {
    const spec = parseSpec(yamlSpec).spec
    expect(parseSpec(specText(spec)).spec).toEqual(spec)
    expect(specText(null)).toBe('')
  })
})
