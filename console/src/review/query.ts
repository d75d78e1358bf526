// What the review page asks for: the room, the room to compare with and the
// cue window, read from the route and turned into API paths. The default
// window is left out of every path, so the plain path is the common one.

import { roomPath } from '../api'
import { validRoom } from '../router'

export const DEFAULT_WINDOW = 5
export const WINDOW_CHOICES = [1, 2, 3, 5, 10, 15, 30, 60] as const

export interface ReviewQuery {
  room: string
  /** An earlier room to set beside this one; '' for none. */
  compare: string
  /** Minutes before and after each cue, 1..60. */
  window: number
}

/** A window in 1..60 from a route parameter; anything else is the default. */
export function windowOf(raw: string | null | undefined): number {
  if (!raw || !/^\d{1,2}$/.test(raw)) return DEFAULT_WINDOW
  const n = Number(raw)
  return n >= 1 && n <= 60 ? n : DEFAULT_WINDOW
}

export function reviewQuery(room: string, params: URLSearchParams): ReviewQuery {
  const c = (params.get('compare') ?? '').trim()
  return { room, compare: validRoom(c) && c !== room ? c : '', window: windowOf(params.get('window')) }
}

/** The choices of the window selector, the current one included. */
export function windowChoices(current: number): number[] {
  return [...new Set([...WINDOW_CHOICES, current])].sort((a, b) => a - b)
}

type Format = 'json' | 'csv' | 'html'

/**
 * GET path of the review (or comparison, or a download) of q. The HTML
 * download sets the earlier show beside this one too; the CSV holds this
 * show only.
 */
export function reviewPath(q: ReviewQuery, format: Format = 'json'): string {
  const p = new URLSearchParams()
  if (q.compare && format !== 'csv') p.set('compare', q.compare)
  if (q.window !== DEFAULT_WINDOW) p.set('window', String(q.window))
  if (format !== 'json') p.set('format', format)
  const qs = p.toString()
  return `${roomPath(q.room)}/review${qs ? '?' + qs : ''}`
}

/** Route parameters that reproduce q in the page's address. */
export function routeExtra(q: ReviewQuery): Record<string, string> {
  const x: Record<string, string> = {}
  if (q.compare) x.compare = q.compare
  if (q.window !== DEFAULT_WINDOW) x.window = String(q.window)
  return x
}
