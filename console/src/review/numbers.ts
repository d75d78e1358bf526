// How the review writes its numbers: money in the room's currency (symbol
// and minor-unit digits from the ISO code), signed changes, percentage
// points for a change of a rate, and durations as h:mm:ss.

import { money, moneyShort } from '../format'
import { lang } from '../i18n'

export interface Currency {
  code: string
  symbol: string
  /** Minor-unit exponent: 2 for CNY, 0 for JPY. */
  digits: number
}

const known = new Map<string, Currency>()

/** The currency of an ISO 4217 code; empty or malformed codes are CNY (the server's default). */
export function currencyOf(code: string | undefined): Currency {
  const c = code && /^[A-Z]{3}$/.test(code) ? code : 'CNY'
  let cur = known.get(c)
  if (!cur) {
    cur = lookup(c)
    known.set(c, cur)
  }
  return cur
}

function lookup(code: string): Currency {
  for (const display of ['narrowSymbol', 'symbol'] as const) {
    try {
      const f = new Intl.NumberFormat('en', { style: 'currency', currency: code, currencyDisplay: display })
      const sym = f.formatToParts(1).find((p) => p.type === 'currency')?.value || code
      // A code used as its own symbol reads better apart from the number: "CHF 12.00".
      const symbol = /[A-Za-z]$/.test(sym) ? sym + ' ' : sym
      return { code, symbol, digits: f.resolvedOptions().maximumFractionDigits ?? 2 }
    } catch {
      // narrowSymbol is newer than Intl itself: try the plain symbol.
    }
  }
  return { code, symbol: code === 'CNY' ? '¥' : code + ' ', digits: 2 }
}

/** Money formatters of one currency: full amounts and short ones for chart axes. */
export function moneyIn(cur: Currency) {
  return {
    full: (minor: number) => money(minor, cur.symbol, cur.digits),
    short: (minor: number) => moneyShort(minor, cur.symbol, cur.digits, lang()),
    signed: (minor: number) => sign(minor) + money(minor, cur.symbol, cur.digits),
  }
}

export type MoneyFormat = ReturnType<typeof moneyIn>

const sign = (v: number): string => (Number.isFinite(v) && Math.round(v) > 0 ? '+' : '')

/** A change of a count: 12 → "+12", -3 → "-3". */
export function signedInt(v: number): string {
  if (!Number.isFinite(v)) return '–'
  const r = Math.round(v)
  return (r > 0 ? '+' : '') + r.toLocaleString('en')
}

/** A change of a rate in percentage points: 0.0123 → "+1.23 pp". */
export function pp(change: number, digits = 2): string {
  if (!Number.isFinite(change)) return '–'
  const v = change * 100
  const s = v.toFixed(digits)
  return `${Number(s) > 0 ? '+' : ''}${Number(s) === 0 ? (0).toFixed(digits) : s} pp`
}

/** Seconds as h:mm:ss (or m:ss under an hour): 3725 → "1:02:05". */
export function duration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '–'
  const s = Math.round(seconds)
  const hh = Math.floor(s / 3600)
  const mm = Math.floor((s % 3600) / 60)
  const ss = String(s % 60).padStart(2, '0')
  return hh > 0 ? `${hh}:${String(mm).padStart(2, '0')}:${ss}` : `${mm}:${ss}`
}

export type Dir = 'up' | 'down' | 'flat'

/** Which way a change went; changes within epsilon are flat. */
export function dirOf(change: number, epsilon = 1e-9): Dir {
  if (!Number.isFinite(change) || Math.abs(change) <= epsilon) return 'flat'
  return change > 0 ? 'up' : 'down'
}

export const ARROW: Record<Dir, string> = { up: '▲', down: '▼', flat: '▬' }
