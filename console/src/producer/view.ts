// The producer's rule editor for one room: the YAML with inline validation,
// per-rule enable toggles and threshold fields that save at once, templates,
// version history with diff and rollback, dry-run and the firing history
// (loaded from the API, then extended live from the websocket). Loaded on
// demand, so the YAML library never weighs on the operator or host views.

import { api, ApiError, roomPath } from '../api'
import { h, replace, setText } from '../dom'
import { clock } from '../format'
import { t } from '../i18n'
import { LiveSession } from '../session'
import type { Part } from '../state/frame'
import type { ResumeBook } from '../state/streamid'
import { banner } from '../views/banner'
import { apiErrorText } from '../views/forbidden'
import { diffLines } from './diff'
import { ruleEditor, type Marked } from './editor'
import { RuleSet, type RuleInfo } from './ruleset'
import { dryRunOf, firingOf, firingsOf, rulesText, templatesOf, versionOf, versionsOf, type FiringItem, type VersionItem } from './shapes'
import { changeText, problemsOf, type Problem } from './validation'

const YAML_TYPE = 'application/yaml'
const HISTORY_LIMIT = 200
/** Quiet time after a keystroke before the server checks the rules. */
const VALIDATE_DELAY_MS = 300

export function producerView(root: HTMLElement, room: string, resume: ResumeBook, onAuth: () => void) {
  const base = `${roomPath(room)}/rules`
  const session = new LiveSession({ rooms: [room], view: 'producer', resume, render, onAuth })
  const ban = banner(session)
  let savedText = ''
  let firings: FiringItem[] = []
  let seenGifts = 0
  let validateTimer: ReturnType<typeof setTimeout> | null = null
  let applyTimer: ReturnType<typeof setTimeout> | null = null
  let validateSeq = 0

  const status = h('span', { class: 'rule-status', testid: 'rule-status', attrs: { role: 'status' } })
  const editor = ruleEditor({ label: t('rules.editor'), testid: 'rule-editor', onChange: () => onEdit() })
  const problems = h('ul', { class: 'problems', testid: 'rule-errors', attrs: { 'aria-live': 'polite' } })
  const btn = (id: string, label: string, fn: () => void, cls = 'btn') =>
    h('button', { class: cls, testid: id, text: label, attrs: { type: 'button' }, on: { click: fn } })
  const toolbar = h('div', 'toolbar',
    btn('rule-reload', t('rules.reload'), () => void load()),
    btn('rule-validate', t('rules.validate'), () => void validate()),
    btn('rule-dry-run', t('rules.dryRun'), () => void dryRun()),
    btn('rule-save', t('rules.save'), () => void save(), 'btn btn-primary'),
    status)

  const ruleList = h('ul', { class: 'rule-list', testid: 'rule-list' })
  const templates = h('ul', { class: 'template-list', testid: 'rule-templates' })
  const versions = h('ul', { class: 'version-list', testid: 'rule-versions' })
  const diffBox = h('pre', { class: 'diff', testid: 'rule-diff' })
  diffBox.hidden = true
  const dryBox = h('div', { class: 'dry-run', testid: 'rule-dry-run-result' })
  const history = h('tbody', { testid: 'rule-history' })
  const card = (title: string, ...kids: (Node | null)[]) =>
    h('section', { class: 'card', attrs: { 'aria-label': title } }, h('h3', { class: 'card-title', text: title }), ...kids)

  root.replaceChildren(ban.el, h('div', { class: 'producer', testid: 'producer-view' },
    h('h2', { class: 'page-title', text: t('producer.title', { room }) }),
    h('div', 'grid producer-grid',
      h('div', 'col',
        h('section', { class: 'card', attrs: { 'aria-label': t('rules.editor') } },
          h('h3', { class: 'card-title', text: t('rules.editor') }), toolbar, editor.el, problems),
        card(t('rules.dryRunResult'), dryBox)),
      h('div', 'col',
        card(t('rules.list'), ruleList),
        card(t('rules.templates'), templates),
        card(t('rules.versions'), versions, diffBox),
        card(t('rules.history'), h('div', 'table-wrap', h('table', 'table', history)))))))

  function setStatus(text: string, kind: 'ok' | 'error' | 'busy' | '' = ''): void {
    setText(status, text)
    status.dataset.kind = kind
  }

  const errText = (e: unknown) => apiErrorText(e)

  // ---- loading ----

  async function load(): Promise<void> {
    setStatus(t('common.loading'), 'busy')
    try {
      const body = await api.get<unknown>(base, { accept: `${YAML_TYPE}, application/json;q=0.9, text/plain;q=0.8` })
      savedText = rulesText(body)
      editor.setValue(savedText)
      onEdit(false)
      const v = versionOf(body)
      setStatus(v ? `v${v}` : '')
    } catch (e) {
      setStatus(t('rules.unavailable', { message: errText(e) }), 'error')
    }
  }

  async function loadSide(): Promise<void> {
    await Promise.all([loadTemplates(), loadVersions(), loadHistory()])
  }

  async function loadTemplates(): Promise<void> {
    try {
      const list = templatesOf(await api.get('/api/v1/rules/templates', { accept: `${YAML_TYPE}, application/json;q=0.9` }))
      replace(templates, ...list.map((tp) => h('li', { class: 'template', testid: `template-${tp.name}` },
        h('div', 'template-text', h('strong', { text: tp.title }), h('span', { class: 'muted', text: tp.description })),
        btn(`template-add-${tp.name}`, t('rules.add'), () => addTemplate(tp.yaml), 'btn btn-small'))))
    } catch (e) {
      replace(templates, h('li', { class: 'muted', text: t('rules.unavailable', { message: errText(e) }) }))
    }
  }

  async function loadVersions(): Promise<void> {
    try {
      const list = versionsOf(await api.get(`${base}/versions`))
      replace(versions, ...list.map((v) => h('li', { class: 'version', testid: `version-${v.version}` },
        h('span', { class: 'version-no', text: `v${v.version}` }),
        h('span', { class: 'muted', text: [v.author, v.at ? clock(v.at) : '', v.comment].filter(Boolean).join(' · ') }),
        btn(`version-diff-${v.version}`, t('rules.diff', { v: v.version }), () => void showDiff(v), 'btn btn-small'),
        btn(`version-rollback-${v.version}`, t('rules.rollback', { v: v.version }), () => void rollback(v.version), 'btn btn-small'))))
    } catch (e) {
      replace(versions, h('li', { class: 'muted', text: t('rules.unavailable', { message: errText(e) }) }))
    }
  }

  async function loadHistory(): Promise<void> {
    try {
      firings = firingsOf(await api.get(`${base}/history`))
        .sort((a, b) => (b.at ?? 0) - (a.at ?? 0))
        .slice(0, HISTORY_LIMIT)
      renderHistory()
    } catch (e) {
      replace(history, h('tr', {}, h('td', { class: 'muted', text: t('rules.unavailable', { message: errText(e) }) })))
    }
  }

  function renderHistory(): void {
    if (firings.length === 0) {
      replace(history, h('tr', {}, h('td', { class: 'muted', text: t('rules.historyEmpty') })))
      return
    }
    replace(history, ...firings.map((f) => h('tr', { testid: 'rule-history-row' },
      h('td', { class: 'muted', text: f.at ? clock(f.at) : '' }),
      h('td', { text: f.rule }),
      h('td', { class: 'muted', text: f.kind }),
      h('td', { text: f.summary }))))
  }

  // ---- editing ----

  /** After every edit: the structured list, then (debounced) server validation. */
  function onEdit(userEdit = true): void {
    const dirty = editor.value() !== savedText
    editor.setState('dirty', dirty)
    if (userEdit) setStatus(dirty ? t('rules.dirty') : '')
    renderRules()
    if (validateTimer) clearTimeout(validateTimer)
    validateTimer = setTimeout(() => void validate(), VALIDATE_DELAY_MS)
  }

  function renderRules(): void {
    const { set, problems: syntax } = RuleSet.parse(editor.value())
    if (!set) {
      showProblems(syntax.map((p) => ({ message: t('rules.parseError', { message: p.message }), line: p.line, col: p.col, severity: 'error' })))
      replace(ruleList, h('li', { class: 'muted', text: t('rules.parseError', { message: syntax[0]?.message ?? '' }) }))
      return
    }
    const rules = set.rules()
    if (rules.length === 0) {
      replace(ruleList, h('li', { class: 'muted', text: t('rules.noRules') }))
      return
    }
    // Keep keyboard focus on the same control across the rebuild.
    const focused = ruleList.contains(document.activeElement) ? (document.activeElement as HTMLElement).dataset.testid : undefined
    replace(ruleList, ...rules.map((r) => ruleRow(r)))
    if (focused) (ruleList.querySelector(`[data-testid="${CSS.escape(focused)}"]`) as HTMLElement | null)?.focus()
  }

  function ruleRow(r: RuleInfo): HTMLElement {
    const id = r.name.replace(/[^\w.-]/g, '_')
    const toggle = h('input', {
      testid: `rule-toggle-${id}`,
      attrs: { type: 'checkbox', checked: r.enabled, 'aria-label': `${t('rules.enabled')}: ${r.name}` },
      on: { change: (e) => applyEdit((s) => s.setEnabled(r.index, (e.target as HTMLInputElement).checked), 0) },
    })
    const fields = r.exprs.flatMap((ex) => ex.thresholds.map((n, i) => h('label', 'threshold-field', h('span', { class: 'muted', text: ex.key }), h('input', {
      class: 'input input-small threshold', testid: `rule-threshold-${id}-${ex.key}-${i}`,
      attrs: { type: 'number', step: 'any', value: n.text.replace(/_/g, ''), title: `${ex.key}: ${ex.expr}`, 'aria-label': `${r.name} ${ex.key} ${t('rules.thresholds')} ${i + 1}` },
      on: {
        change: (e) => {
          const v = Number((e.target as HTMLInputElement).value)
          if (Number.isFinite(v)) applyEdit((s) => s.setThreshold(r.index, ex.key, i, v), 400)
        },
      },
    }))))
    const name = h('button', {
      class: 'link rule-name', text: r.name, attrs: { type: 'button', title: r.condition },
      on: { click: () => jumpTo(r.line, 1) },
    })
    return h('li', { class: `rule-item${r.enabled ? '' : ' disabled'}`, testid: `rule-item-${id}` },
      h('label', 'switch', toggle, h('span', { class: 'sr-only', text: t('rules.enabled') })),
      name, h('code', { class: 'rule-cond', text: r.exprs.map((ex) => `${ex.key}: ${ex.expr}`).join('   ') }), h('span', 'thresholds', ...fields))
  }

  /** Applies a structured edit to the YAML and saves it (the live part of the producer's job). */
  function applyEdit(edit: (s: RuleSet) => void, delayMs: number): void {
    const { set } = RuleSet.parse(editor.value())
    if (!set) return
    edit(set)
    editor.setValue(set.toString())
    onEdit()
    if (applyTimer) clearTimeout(applyTimer)
    setStatus(t('rules.applying'), 'busy')
    applyTimer = setTimeout(() => void save(), delayMs)
  }

  function addTemplate(yaml: string): void {
    const { set } = RuleSet.parse(editor.value())
    if (!set) return
    const errs = set.appendRules(yaml)
    if (errs.length) {
      showProblems(errs.map((p) => ({ ...p, severity: 'error' })))
      return
    }
    editor.setValue(set.toString())
    onEdit()
    editor.focus()
  }

  function jumpTo(line?: number, col?: number): void {
    editor.jumpTo(line, col)
  }

  /**
   * Lists problems and marks them at their lines in the editor; positions
   * the server gives inside a rule's expression are mapped to the file.
   */
  function showProblems(list: Problem[]): void {
    const set = RuleSet.parse(editor.value()).set
    const marked: Marked[] = []
    replace(problems, ...list.map((p) => {
      const at = (p.rule && set ? set.locate(p.rule, p.field, p.line, p.col) : p.line ? { line: p.line, col: p.col ?? 1 } : null) ??
        (p.sourceLine ? { line: p.sourceLine, col: 1 } : null)
      if (at) marked.push({ line: at.line, col: p.line ? at.col : undefined, message: p.rule ? `${p.rule}: ${p.message}` : p.message, severity: p.severity })
      const where = [p.field, at ? t('rules.position', { line: at.line, col: at.col }) : ''].filter(Boolean).join(' · ')
      return h('li', { class: `problem ${p.severity}`, testid: 'rule-error', attrs: { 'data-rule': p.rule ?? '', 'data-severity': p.severity } },
        h('button', {
          class: 'link', attrs: { type: 'button' }, on: { click: () => jumpTo(at?.line, at?.col) },
        }, p.rule ? h('strong', { text: p.rule }) : null, where ? h('span', { class: 'muted', text: ` ${where}` }) : null),
        h('span', { text: ` ${p.message}` }))
    }))
    editor.mark(marked)
  }

  // ---- server calls ----

  async function validate(): Promise<boolean> {
    const seq = ++validateSeq
    if (!RuleSet.parse(editor.value()).set) return false
    try {
      const res = await api.post(`${base}/validate`, { text: editor.value(), contentType: YAML_TYPE })
      if (seq !== validateSeq) return false
      const list = problemsOf(res)
      showProblems(list)
      const ok = !list.some((p) => p.severity === 'error') && (res as { valid?: boolean })?.valid !== false
      editor.setState('invalid', !ok)
      return ok
    } catch (e) {
      if (seq !== validateSeq) return false
      if (e instanceof ApiError && (e.status === 400 || e.status === 422)) {
        const list = problemsOf(e.body ?? { error: { message: e.message, field: e.field } })
        showProblems(list)
        editor.setState('invalid', true)
        setStatus(t('rules.invalid', { n: list.length }), 'error')
      } else {
        setStatus(t('rules.unavailable', { message: errText(e) }), 'error')
      }
      return false
    }
  }

  async function save(): Promise<void> {
    setStatus(t('rules.applying'), 'busy')
    try {
      const text = editor.value()
      const res = await api.put(base, { text, contentType: YAML_TYPE })
      savedText = text
      editor.setState('dirty', editor.value() !== savedText)
      showProblems(problemsOf(res))
      const v = versionOf(res)
      setStatus(v ? t('rules.saved', { v }) : t('rules.savedPlain'), 'ok')
      void loadVersions()
    } catch (e) {
      if (e instanceof ApiError && e.status === 409) setStatus(t('rules.conflict'), 'error')
      else if (e instanceof ApiError && (e.status === 400 || e.status === 422)) {
        const list = problemsOf(e.body ?? { error: { message: e.message, field: e.field } })
        showProblems(list)
        setStatus(t('rules.invalid', { n: list.length }), 'error')
      } else setStatus(t('common.error', { message: errText(e) }), 'error')
    }
  }

  async function dryRun(): Promise<void> {
    replace(dryBox, h('p', { class: 'muted', text: t('common.loading') }))
    try {
      const res = await api.post(`${base}/dry-run`, { text: editor.value(), contentType: YAML_TYPE })
      showProblems(problemsOf(res))
      const items = dryRunOf(res)
      const firing = items.filter((d) => d.state === 'fires').length
      replace(dryBox,
        h('p', { class: 'muted', text: firing ? '' : t('rules.dryRunNone') }),
        h('ul', 'dry-list', ...items.map((d) => h('li', { class: `dry-${d.state}`, testid: 'rule-dry-run-item', attrs: { 'data-state': d.state } },
          h('strong', { text: d.rule }), h('span', { class: 'badge dry-badge', text: d.state }),
          d.change ? h('span', { class: 'badge dry-change', testid: 'rule-dry-run-change', text: changeText(d.change) }) : null,
          h('span', { class: 'muted', text: d.detail })))))
    } catch (e) {
      const list = e instanceof ApiError && e.body ? problemsOf(e.body) : []
      if (list.length) showProblems(list)
      replace(dryBox, h('p', { class: 'error', text: t('common.error', { message: errText(e) }) }))
    }
  }

  /** The version's own change summary, then a line diff from its source to the editor (what a rollback would undo). */
  async function showDiff(v: VersionItem): Promise<void> {
    diffBox.hidden = false
    const out: Node[] = []
    if (v.diff) {
      out.push(h('span', { class: 'diff-head', text: `v${v.version}:\n` }))
      for (const l of v.diff.split('\n')) {
        out.push(h('span', { class: l.startsWith('+') ? 'add' : l.startsWith('-') ? 'del' : 'same', text: `${l}\n` }))
      }
    }
    let text = v.text
    if (text === undefined) {
      try {
        text = rulesText(await api.get(`${base}/versions/${v.version}`, { accept: `${YAML_TYPE}, application/json;q=0.9` }))
      } catch {
        text = undefined
      }
    }
    if (text !== undefined) {
      out.push(h('span', { class: 'diff-head', text: `\n${t('rules.diff', { v: v.version })}\n` }))
      for (const l of diffLines(text, editor.value())) {
        if (l.op === ' ') continue
        out.push(h('span', { class: l.op === '+' ? 'add' : 'del', text: `${l.op} ${l.text}\n` }))
      }
    }
    replace(diffBox, ...out)
  }

  async function rollback(version: number): Promise<void> {
    if (!window.confirm(t('rules.rollbackConfirm', { v: version }))) return
    setStatus(t('rules.applying'), 'busy')
    try {
      const res = await api.post(`${base}/rollback`, { json: { version } })
      await load()
      const v = versionOf(res)
      setStatus(v ? t('rules.saved', { v }) : t('rules.savedPlain'), 'ok')
      void loadVersions()
    } catch (e) {
      setStatus(t('common.error', { message: errText(e) }), 'error')
    }
  }

  // ---- live firings ----

  function render(parts: ReadonlySet<Part>): void {
    ban.render()
    const st = session.store.rooms.get(room)
    if (!st) return
    let added = false
    if (parts.has('cues') || parts.has('alerts') || parts.has('tier') || parts.has('gifts')) {
      // Newest live signals to the top of the firing history.
      const fresh: FiringItem[] = []
      for (const c of st.cues.values()) fresh.push(firingOf({ rule: c.rule, at: c.at, kind: 'cue', cue: c.cue }))
      for (const a of st.alerts) fresh.push(firingOf({ rule: a.rule, at: a.at, kind: 'alert', alert: a.alert }))
      if (st.tier) fresh.push(firingOf({ rule: '', at: st.tierAt, kind: 'tier', tier: st.tier }))
      const newGifts = Math.min(st.gifts.size, Math.max(0, st.gifts.total - seenGifts))
      for (const g of st.gifts.newest(newGifts)) fresh.push(firingOf(g as never))
      seenGifts = st.gifts.total
      const key = (f: FiringItem) => `${f.at}|${f.rule}|${f.kind}|${f.summary}`
      const known = new Set(firings.map(key))
      for (const f of fresh) if (f.at && !known.has(key(f))) { firings.unshift(f); added = true }
    }
    if (added) {
      firings = firings.sort((a, b) => (b.at ?? 0) - (a.at ?? 0)).slice(0, HISTORY_LIMIT)
      renderHistory()
    }
  }

  session.start()
  void load().then(loadSide)
  return {
    destroy(): void {
      session.stop()
      if (validateTimer) clearTimeout(validateTimer)
      if (applyTimer) clearTimeout(applyTimer)
      editor.destroy()
    },
  }
}
