// The admin form that adds or edits one connector: platform format, source
// name, the platform's secret (pasted, generated, or kept), product id →
// SKU lines, currency and gift rate, and for format "mapping" the mapping
// spec with its syntax checked as it is typed and the server's located
// problems marked by line. Saving PUTs the settings; the answer (with a
// generated secret, shown once) goes to onSaved.

import { ApiError } from '../api'
import { h, replace, setText } from '../dom'
import { t, type MsgKey } from '../i18n'
import { platformLabel } from '../views/sources'
import { connectorsApi } from './api'
import { connectorBody, formatProducts, serverProblems, type Connector, type FieldProblem, type Format } from './model'
import { locate, parseSpec, SPEC_EXAMPLE, specText } from './spec'

export interface FormProblem {
  text: string
  field: string
  line?: number
}

/** A field problem in words. */
export function fieldProblemText(p: FieldProblem): string {
  return t(p.key as MsgKey, { line: p.line ?? 0, text: p.text ?? '' })
}

/** The server's refusal as problems: located ones in the mapping marked at their line in text. */
export function refusalProblems(e: unknown, mappingText: string): FormProblem[] {
  if (!(e instanceof ApiError)) return [{ text: t('cx.refused', { message: String(e) }), field: '' }]
  const located = serverProblems(e.body)
  if (!located.length) return [{ text: t('cx.refused', { message: e.message }), field: e.field ?? '' }]
  return located.map((p) => {
    const at = p.path.startsWith('mapping') && mappingText ? locate(mappingText, p.path, p.column) : null
    const where = at ? t('cx.at', { line: at.line, col: at.col }) + ' · ' : ''
    return { text: `${where}${p.path}: ${p.message}`, field: p.path.startsWith('mapping') ? 'mapping' : p.path.split(/[.[]/)[0], line: at?.line }
  })
}

/** The 0-based offset of a 1-based line in text (for selecting it in the editor). */
export function lineOffset(text: string, line: number): [number, number] {
  const lines = text.split('\n')
  let start = 0
  for (let i = 0; i < line - 1 && i < lines.length; i++) start += lines[i].length + 1
  return [start, start + (lines[line - 1]?.length ?? 0)]
}

export function connectorForm(room: string, onSaved: (c: Connector) => void) {
  let formats: Format[] = []
  let editing: Connector | null = null
  let parseTimer: ReturnType<typeof setTimeout> | null = null
  // What the server last said about the mapping: shown until the next save
  // (or a syntax error typed meanwhile, which comes first).
  let serverMapping: FormProblem[] = []

  const field = (label: string, input: HTMLElement, hint = '', testid = '') =>
    h('label', { class: 'field', testid: testid || undefined }, h('span', { class: 'field-label', text: label }), input,
      hint ? h('span', { class: 'field-hint muted small', text: hint }) : null)

  const title = h('h3', { class: 'card-title', testid: 'cx-form-title', text: t('cx.new') })
  const format = h('select', { class: 'input', testid: 'cx-format', on: { change: () => onFormat() } })
  const formatHint = h('span', { class: 'field-hint muted small', testid: 'cx-format-hint' })
  const source = h('input', { class: 'input', testid: 'cx-source', attrs: { autocomplete: 'off', spellcheck: 'false', maxlength: 64 } })
  const secret = h('input', { class: 'input', testid: 'cx-secret', attrs: { type: 'password', autocomplete: 'new-password', spellcheck: 'false' } })
  const generate = h('input', { testid: 'cx-generate', attrs: { type: 'checkbox' }, on: { change: () => { secret.disabled = generate.checked; if (generate.checked) secret.value = '' } } })
  const secretKept = h('p', { class: 'muted small', testid: 'cx-secret-kept', text: t('cx.secretKept') })
  const secretBox = h('fieldset', { class: 'field secret-box', testid: 'cx-secret-box' },
    h('legend', { class: 'field-label', text: t('cx.secret') }),
    field(t('cx.secretPaste'), secret),
    h('label', 'check', generate, h('span', { text: t('cx.secretGenerate') })),
    secretKept)
  const unsigned = h('p', { class: 'muted small', testid: 'cx-unsigned', text: t('cx.secretNotNeeded') })
  const products = h('textarea', { class: 'input mono', testid: 'cx-products', attrs: { rows: 4, spellcheck: 'false', placeholder: '1234567890123 = lipstick-01' } })
  const currency = h('input', { class: 'input input-short', testid: 'cx-currency', attrs: { maxlength: 3, placeholder: 'CNY', autocomplete: 'off' } })
  const giftRate = h('input', { class: 'input input-short', testid: 'cx-gift-rate', attrs: { inputmode: 'decimal', placeholder: '10', autocomplete: 'off' } })
  const acceptTest = h('input', { testid: 'cx-accept-test', attrs: { type: 'checkbox' } })
  const mapping = h('textarea', {
    class: 'editor mapping-editor', testid: 'cx-mapping',
    attrs: { rows: 18, spellcheck: 'false', autocapitalize: 'off', autocomplete: 'off', 'aria-label': t('cx.mapping') },
    on: { input: () => scheduleParse() },
  })
  const mappingProblems = h('ul', { class: 'problems', testid: 'cx-mapping-problems', attrs: { 'aria-live': 'polite' } })
  const mappingBox = h('div', { class: 'field mapping-box', testid: 'cx-mapping-box' },
    h('span', { class: 'field-label', text: t('cx.mapping') }),
    h('span', { class: 'field-hint muted small', text: t('cx.mappingHint') }), mapping, mappingProblems)
  const problems = h('ul', { class: 'problems', testid: 'cx-form-problems', attrs: { 'aria-live': 'polite' } })
  const status = h('span', { class: 'muted', testid: 'cx-status', attrs: { role: 'status' } })
  const save = h('button', { class: 'btn btn-primary', testid: 'cx-save', text: t('cx.save'), attrs: { type: 'submit' } })
  const newBtn = h('button', { class: 'btn', testid: 'cx-new', text: t('cx.new'), attrs: { type: 'button' }, on: { click: () => fill(null) } })

  const el = h('form', { class: 'card cx-form', testid: 'cx-form', attrs: { novalidate: true }, on: { submit: (e) => { e.preventDefault(); void submit() } } },
    h('div', 'card-head', title, newBtn),
    h('div', 'form-grid',
      h('label', 'field', h('span', { class: 'field-label', text: t('cx.format') }), format, formatHint),
      field(t('cx.source'), source, t('cx.sourceHint')),
      field(t('cx.currency'), currency, t('cx.currencyHint')),
      field(t('cx.giftRate'), giftRate, t('cx.giftRateHint'))),
    secretBox, unsigned,
    field(t('cx.products'), products, t('cx.productsHint')),
    h('label', 'check', acceptTest, h('span', { text: t('cx.acceptTest') })),
    mappingBox,
    problems,
    h('div', 'toolbar', save, status))

  function selected(): Format | undefined {
    return formats.find((f) => f.format === format.value)
  }

  function onFormat(): void {
    const f = selected()
    const signed = !!f?.signed
    secretBox.hidden = !f || !signed
    unsigned.hidden = !f || signed
    secretKept.hidden = !(editing?.has_secret && editing.format === format.value)
    setText(formatHint, f ? `${platformLabel(f.platform, f.format)} · ${t(signed ? 'cx.signed' : 'cx.unsigned')}${f.kinds.length ? ' · ' + t('cx.kinds', { kinds: f.kinds.join(', ') }) : ''}` : '')
    mappingBox.hidden = format.value !== 'mapping'
    if (format.value === 'mapping' && !mapping.value.trim()) mapping.value = SPEC_EXAMPLE
    if (format.value === 'mapping') checkSyntax()
  }

  function setFormats(list: Format[]): void {
    formats = list
    const keep = format.value
    replace(format, h('option', { text: t('cx.formatPick'), attrs: { value: '' } }),
      ...list.map((f) => h('option', { text: `${platformLabel(f.platform, f.format)} — ${f.format}`, attrs: { value: f.format } })))
    format.value = list.some((f) => f.format === keep) ? keep : ''
    onFormat()
  }

  /** Fills the form from a saved connector, or empties it for a new one. */
  function fill(c: Connector | null): void {
    editing = c
    setText(title, c ? t('cx.edit', { source: c.source }) : t('cx.new'))
    format.value = c?.format ?? ''
    source.value = c?.source ?? ''
    secret.value = ''
    secret.disabled = false
    generate.checked = false
    products.value = formatProducts(c?.settings.products)
    currency.value = c?.settings.currency ?? ''
    giftRate.value = c?.settings.gift_rate ?? ''
    acceptTest.checked = !!c?.settings.accept_test
    mapping.value = c?.settings.mapping ? specText(c.settings.mapping) : ''
    serverMapping = []
    replace(problems)
    replace(mappingProblems)
    setText(status, '')
    onFormat()
  }

  function scheduleParse(): void {
    if (parseTimer) clearTimeout(parseTimer)
    parseTimer = setTimeout(checkSyntax, 250)
  }

  /** Marks a syntax error in the mapping as it is typed; returns the spec when it parses. */
  function checkSyntax(): unknown {
    const r = parseSpec(mapping.value)
    showMapping(r.error ? [{ text: t('cx.syntax', { line: r.error.line, col: r.error.col, message: r.error.message }), field: 'mapping', line: r.error.line }] : serverMapping)
    return r.error ? undefined : r.spec
  }

  function showMapping(list: FormProblem[]): void {
    mapping.dataset.invalid = list.length ? '1' : '0'
    replace(mappingProblems, ...list.map((p) => problemItem(p, 'cx-mapping-problem')))
  }

  function problemItem(p: FormProblem, testid: string): HTMLElement {
    const li = h('li', { class: 'problem error', testid, attrs: { 'data-field': p.field, 'data-line': p.line ?? '' } })
    if (p.line) {
      li.appendChild(h('button', {
        class: 'link', text: p.text, attrs: { type: 'button' },
        on: { click: () => { const [a, b] = lineOffset(mapping.value, p.line!); mapping.focus(); mapping.setSelectionRange(a, b) } },
      }))
    } else li.textContent = p.text
    return li
  }

  function showProblems(list: FormProblem[]): void {
    serverMapping = list.filter((p) => p.field === 'mapping')
    showMapping(serverMapping)
    replace(problems, ...list.filter((p) => p.field !== 'mapping').map((p) => problemItem(p, 'cx-form-problem')))
    for (const [name, input] of [['source', source], ['currency', currency], ['gift_rate', giftRate], ['products', products], ['secret', secret]] as const) {
      input.dataset.invalid = list.some((p) => p.field === name) ? '1' : '0'
    }
  }

  async function submit(): Promise<void> {
    if (parseTimer) clearTimeout(parseTimer)
    parseTimer = null
    const spec = format.value === 'mapping' ? checkSyntax() : undefined
    if (format.value === 'mapping' && spec === undefined && mapping.value.trim()) {
      setText(status, t('cx.fixFirst'))
      return
    }
    const { body, problems: found } = connectorBody({
      source: source.value, format: format.value, products: products.value, currency: currency.value, giftRate: giftRate.value,
      acceptTest: acceptTest.checked, secret: secret.value, generateSecret: generate.checked, mapping: spec,
    })
    showProblems(found.map((p) => ({ text: fieldProblemText(p), field: p.field })))
    if (!body) {
      setText(status, t('cx.fixFirst'))
      return
    }
    save.disabled = true
    setText(status, t('cx.saving'))
    const name = source.value.trim()
    try {
      const saved = await connectorsApi.put(room, name, body)
      showProblems([])
      setText(status, t('cx.saved', { source: saved.source || name }))
      fill({ ...saved, secret: undefined })
      setText(status, t('cx.saved', { source: saved.source || name }))
      onSaved(saved)
    } catch (e) {
      const list = refusalProblems(e, mapping.value)
      showProblems(list)
      setText(status, t('cx.refused', { message: e instanceof ApiError ? e.message : String(e) }))
    } finally {
      save.disabled = false
    }
  }

  fill(null)
  return { el, setFormats, fill, editing: () => editing }
}
