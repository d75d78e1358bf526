// Number formatting for the dashboards. Money arrives as integer minor units
// (fen): 12345 → ¥123.45, never through floating-point cents.

const group = (digits: string): string => digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',')

/**
 * 12345 → "¥123.45"; -50 → "-¥0.50"; fractional minor units are rounded.
 * digits is the currency's minor-unit exponent (2 for CNY, 0 for JPY).
 */
export function money(minor: number | null | undefined, symbol = '¥', digits = 2): string {
  if (minor === null || minor === undefined || !Number.isFinite(minor)) return '–'
  const n = Math.round(minor)
  const neg = n < 0
  const abs = Math.abs(n)
  const scale = 10 ** digits
  const major = Math.floor(abs / scale)
  const frac = digits > 0 ? '.' + String(abs % scale).padStart(digits, '0') : ''
  return `${neg ? '-' : ''}${symbol}${group(String(major))}${frac}`
}

/** Large amounts compact for chart axes: 1234567 (minor) → "¥12.3k". */
export function moneyShort(minor: number, symbol = '¥', digits = 2): string {
  const major = minor / 10 ** digits
  const abs = Math.abs(major)
  if (abs >= 1e8) return `${symbol}${(major / 1e8).toFixed(1)}亿`
  if (abs >= 1e6) return `${symbol}${(major / 1e6).toFixed(1)}M`
  if (abs >= 1e3) return `${symbol}${(major / 1e3).toFixed(1)}k`
  return `${symbol}${major.toFixed(0)}`
}

/** 1234567 → "1,234,567". */
export function int(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '–'
  const r = Math.round(n)
  return (r < 0 ? '-' : '') + group(String(Math.abs(r)))
}

/** A ratio as percent: 0.0345 → "3.45%". */
export function ratio(r: number | null | undefined, digits = 2): string {
  if (r === null || r === undefined || !Number.isFinite(r)) return '–'
  return `${(r * 100).toFixed(digits)}%`
}

/** A change already in percent: 12.34 → "+12.3%". */
export function changePct(p: number | null | undefined): string {
  if (p === null || p === undefined || !Number.isFinite(p)) return ''
  const s = p.toFixed(Math.abs(p) >= 100 ? 0 : 1)
  return `${p > 0 ? '+' : ''}${s}%`
}

const pad2 = (n: number): string => String(n).padStart(2, '0')

/** Local wall-clock time "HH:MM:SS". */
export function clock(ms: number): string {
  const d = new Date(ms)
  return `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`
}

/** A countdown: 65_400 ms → "1:05"; under 10 s "9.4". */
export function countdown(ms: number): string {
  if (ms < 10_000) return (Math.max(0, ms) / 1000).toFixed(1)
  const s = Math.ceil(ms / 1000)
  return `${Math.floor(s / 60)}:${pad2(s % 60)}`
}

/**
 * A moment for a table: "HH:MM:SS" (24-hour) when it is today on this
 * client's clock, else the date in the language's own order before it
 * ("12月1日 18:02:05", "Dec 1 18:02:05").
 */
export function stamp(ms: number, lang: string, now = Date.now()): string {
  if (!Number.isFinite(ms) || ms <= 0) return '–'
  const d = new Date(ms)
  const n = new Date(now)
  if (d.getFullYear() === n.getFullYear() && d.getMonth() === n.getMonth() && d.getDate() === n.getDate()) return clock(ms)
  const opts: Intl.DateTimeFormatOptions = { month: 'short', day: 'numeric' }
  if (d.getFullYear() !== n.getFullYear()) opts.year = 'numeric'
  return `${new Intl.DateTimeFormat(lang, opts).format(d)} ${clock(ms)}`
}
