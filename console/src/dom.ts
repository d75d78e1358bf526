// A tiny DOM builder. Text is always set with textContent and attributes
// with setAttribute: no HTML string is ever parsed, so a comment such as
// <img src=x onerror=alert(1)> shows up as those characters. Event handlers
// are attached with addEventListener (the CSP forbids inline handlers).

type Child = Node | string | number | null | undefined | false
type Handler = (ev: Event) => void

export interface Props {
  class?: string
  testid?: string
  text?: string | number
  attrs?: Record<string, string | number | boolean | null | undefined>
  on?: Record<string, Handler>
}

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props | string = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag)
  const p: Props = typeof props === 'string' ? { class: props } : props
  if (p.class) el.className = p.class
  if (p.testid) el.setAttribute('data-testid', p.testid)
  if (p.attrs) setAttrs(el, p.attrs)
  if (p.on) for (const [ev, fn] of Object.entries(p.on)) el.addEventListener(ev, fn)
  if (p.text !== undefined) el.textContent = String(p.text)
  append(el, children)
  return el
}

export function append(el: Node, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue
    el.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c)
  }
}

export function setAttrs(el: Element, attrs: NonNullable<Props['attrs']>): void {
  for (const [k, v] of Object.entries(attrs)) {
    if (/^on/i.test(k)) throw new Error(`refusing inline handler attribute ${k}`)
    if (v === false || v === null || v === undefined) el.removeAttribute(k)
    else el.setAttribute(k, v === true ? '' : String(v))
  }
}

/** Sets text only when it changed (cheap to call every frame). */
export function setText(el: Element, text: string | number): void {
  const s = String(text)
  if (el.textContent !== s) el.textContent = s
}

/** Replaces all children. */
export function replace(el: Element, ...children: Child[]): void {
  el.replaceChildren()
  append(el, children)
}

/**
 * Keyed list update: reuses the node of each key, creates nodes for new keys,
 * removes nodes for gone keys, and moves nodes only when out of order. A
 * 500-row comment feed updated ten times a second touches only new rows.
 */
export function syncList<T>(
  parent: Element,
  items: readonly T[],
  key: (item: T) => string,
  create: (item: T) => HTMLElement,
  update?: (el: HTMLElement, item: T) => void,
): void {
  const existing = new Map<string, HTMLElement>()
  for (const child of Array.from(parent.children) as HTMLElement[]) {
    const k = child.dataset.key
    if (k !== undefined) existing.set(k, child)
  }
  let cursor: Element | null = parent.firstElementChild
  for (const item of items) {
    const k = key(item)
    let el = existing.get(k)
    if (el) {
      existing.delete(k)
      update?.(el, item)
    } else {
      el = create(item)
      el.dataset.key = k
    }
    if (el !== cursor) parent.insertBefore(el, cursor)
    else cursor = cursor.nextElementSibling
  }
  for (const el of existing.values()) el.remove()
}
