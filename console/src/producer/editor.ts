// The rule editor: CodeMirror 6 with YAML highlighting, line numbers and
// problems drawn in the text (underlined) and in a gutter at their lines.
// CodeMirror rather than a hand-written editor: it is well kept, handles
// input methods (Chinese cue texts), undo and accessibility, and its lint
// package already draws and lists located problems. The problems come from
// the view (the server's validate route, debounced); the editor only shows
// them.
//
// The editor lives in a shadow root: CodeMirror styles itself through
// style-mod, which in a document writes a <style> element (refused by the
// console's CSP, style-src 'self') but in a shadow root uses a constructed
// stylesheet, which the CSP allows. The page's colour variables still reach it.

import { history, defaultKeymap, historyKeymap, indentWithTab } from '@codemirror/commands'
import { yaml } from '@codemirror/lang-yaml'
import { HighlightStyle, indentUnit, syntaxHighlighting } from '@codemirror/language'
import { lintGutter, setDiagnostics, type Diagnostic } from '@codemirror/lint'
import { EditorState, type Text } from '@codemirror/state'
import { drawSelection, EditorView, highlightActiveLine, highlightSpecialChars, keymap, lineNumbers } from '@codemirror/view'
import { tags } from '@lezer/highlight'
import { h } from '../dom'

/** A problem at a place in the text (1-based line and column). */
export interface Marked {
  line: number
  col?: number
  message: string
  severity: 'error' | 'warning'
}

// The console's dark palette for YAML: keys, values, numbers, comments.
const palette = HighlightStyle.define([
  { tag: [tags.propertyName, tags.definition(tags.propertyName)], color: '#79c0ff' },
  { tag: [tags.string, tags.special(tags.string), tags.content], color: '#a5d6ff' },
  { tag: [tags.number, tags.bool, tags.null], color: '#f9c74f' },
  { tag: tags.comment, color: '#8b949e', fontStyle: 'italic' },
  { tag: [tags.keyword, tags.typeName, tags.labelName, tags.meta], color: '#ff7b72' },
  { tag: [tags.punctuation, tags.separator, tags.squareBracket, tags.brace], color: '#c9d1d9' },
])

const theme = EditorView.theme({
  '&': { backgroundColor: '#010409', color: 'var(--text)', border: '1px solid var(--line)', borderRadius: '6px', fontSize: '.88rem', minHeight: '28rem' },
  '&.cm-focused': { outline: '2px solid var(--accent, #4cc9f0)', outlineOffset: '1px' },
  '.cm-scroller': { fontFamily: 'ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace', lineHeight: '1.5', minHeight: '28rem', maxHeight: '70vh' },
  '.cm-content': { caretColor: '#e6edf3' },
  '.cm-gutters': { backgroundColor: '#0d1117', color: '#6e7681', borderRight: '1px solid var(--line)' },
  '.cm-activeLine': { backgroundColor: 'rgba(110, 118, 129, .12)' },
  '.cm-selectionBackground, &.cm-focused .cm-selectionBackground': { backgroundColor: 'rgba(56, 139, 253, .35)' },
  '.cm-tooltip': { backgroundColor: '#161b22', color: 'var(--text)', border: '1px solid var(--line)' },
}, { dark: true })

/** Offset of a 1-based line and column in doc, clamped to the text. */
export function offsetOf(doc: Text, line: number, col = 1): number {
  const l = doc.line(Math.min(Math.max(1, line), doc.lines))
  return Math.min(l.to, l.from + Math.max(0, col - 1))
}

/** Problems as CodeMirror diagnostics: from the column to the end of its line (the whole line without one). */
export function diagnosticsOf(doc: Text, list: readonly Marked[]): Diagnostic[] {
  return list.map((p) => {
    const l = doc.line(Math.min(Math.max(1, p.line), doc.lines))
    const from = p.col ? offsetOf(doc, p.line, p.col) : l.from + (l.text.length - l.text.trimStart().length)
    return { from, to: Math.max(from, l.to), severity: p.severity, message: p.message }
  })
}

export function ruleEditor(o: { label: string; testid: string; onChange: () => void }) {
  const el = h('div', { class: 'rule-editor', testid: o.testid })
  const shadow = el.attachShadow({ mode: 'open' })
  const view = new EditorView({
    root: shadow,
    parent: shadow,
    state: EditorState.create({
      doc: '',
      extensions: [
        lineNumbers(),
        lintGutter(),
        highlightSpecialChars(),
        history(),
        drawSelection(),
        highlightActiveLine(),
        indentUnit.of('  '),
        EditorState.tabSize.of(2),
        keymap.of([...defaultKeymap, ...historyKeymap, indentWithTab]),
        yaml(),
        syntaxHighlighting(palette),
        theme,
        EditorView.lineWrapping,
        EditorView.contentAttributes.of({ 'aria-label': o.label, spellcheck: 'false', autocapitalize: 'off', autocorrect: 'off' }),
        EditorView.updateListener.of((u) => { if (u.docChanged && !settingValue) o.onChange() }),
      ],
    }),
  })
  let settingValue = false

  return {
    el,
    view,
    value: (): string => view.state.doc.toString(),
    /** Replaces the text (a load or a structured edit); not reported as a user's edit. */
    setValue(text: string): void {
      if (text === view.state.doc.toString()) return
      settingValue = true
      try {
        view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } })
      } finally {
        settingValue = false
      }
    },
    /** Marks the problems in the text and the gutter; an empty list clears them. */
    mark(list: readonly Marked[]): void {
      view.dispatch(setDiagnostics(view.state, diagnosticsOf(view.state.doc, list)))
      el.dataset.problemLines = [...new Set(list.map((p) => p.line))].sort((a, b) => a - b).join(',')
    },
    focus: (): void => view.focus(),
    jumpTo(line?: number, col?: number): void {
      if (!line) return
      const pos = offsetOf(view.state.doc, line, col)
      view.dispatch({ selection: { anchor: pos }, effects: EditorView.scrollIntoView(pos, { y: 'center' }) })
      view.focus()
    },
    setState(attr: 'dirty' | 'invalid', on: boolean): void {
      el.dataset[attr] = on ? '1' : '0'
    },
    destroy: (): void => view.destroy(),
  }
}
