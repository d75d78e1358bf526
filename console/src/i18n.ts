// Two languages, zh-CN and English, chosen from navigator.language unless
// the user picked one (kept in localStorage). Messages may hold {name}
// placeholders; values are inserted as text by the views.

import { en } from './messages/en'
import { zh } from './messages/zh'

export type Lang = 'zh-CN' | 'en'
export type MsgKey = keyof typeof en

const tables: Record<Lang, Record<MsgKey, string>> = { en, 'zh-CN': zh }
const STORAGE_KEY = 'livedeck.lang'

let current: Lang = 'en'
const listeners = new Set<(l: Lang) => void>()

/** zh, zh-CN, zh-Hans-CN, zh-TW … → zh-CN; everything else → en. */
export function pickLang(candidates: readonly string[]): Lang {
  for (const c of candidates) {
    const l = c.toLowerCase()
    if (l.startsWith('zh')) return 'zh-CN'
    if (l.startsWith('en')) return 'en'
  }
  return 'en'
}

export function initLang(store: Pick<Storage, 'getItem'> | null, nav: { languages?: readonly string[]; language?: string }): Lang {
  const saved = store?.getItem(STORAGE_KEY)
  if (saved === 'en' || saved === 'zh-CN') current = saved
  else current = pickLang(nav.languages?.length ? nav.languages : [nav.language ?? 'en'])
  return current
}

export function lang(): Lang {
  return current
}

export function setLang(l: Lang, store?: Pick<Storage, 'setItem'> | null): void {
  if (l === current) return
  current = l
  try {
    store?.setItem(STORAGE_KEY, l)
  } catch {
    // private mode: the choice lasts for this page
  }
  for (const fn of listeners) fn(l)
}

export function onLang(fn: (l: Lang) => void): () => void {
  listeners.add(fn)
  return () => listeners.delete(fn)
}

/** The message for key in the current language, with {name} placeholders filled. */
export function t(key: MsgKey, vars: Record<string, string | number> = {}): string {
  const msg = tables[current][key] ?? en[key] ?? key
  return msg.replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m))
}
