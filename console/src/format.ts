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

/**
 * The units numbers are abbreviated by, largest first: 万/亿 in Chinese,
 * k/M/B elsewhere.
 */
const UNITS: Record<'zh' | 'en', readonly [number, string][]> = {
  zh: [[1e8, '亿'], [1e4, '万']],
  en: [[1e9, 'B'], [1e6, 'M'], [1e3, 'k']],
}

const unitsOf = (lang: string) => UNITS[lang.toLowerCase().startsWith('zh') ? 'zh' : 'en']

/**
 * abs in the largest unit it reaches, with at most four significant digits
 * and no trailing zeros: 603429.12 → "60.34万" / "603.4k". A value that
 * rounds up to the next unit is shown in it ("1M", not "1000k").
 */
function scaled(abs: number, lang: string): string {
  const units = unitsOf(lang)
  for (let i = 0; i < units.length; i++) {
    const [size, name] = units[i]
    if (abs < size) continue
    const v = abs / size
    const s = v.toFixed(v < 10 ? 2 : v < 100 ? 2 : v < 1000 ? 1 : 0)
    if (i > 0 && Number(s) >= units[i - 1][0] / size) return scaled(units[i - 1][0], lang)
    return trimZeros(s) + name
  }
  return trimZeros(abs.toFixed(abs < 100 ? 2 : abs < 1000 ? 1 : 0))
}

const trimZeros = (s: string): string => (s.includes('.') ? s.replace(/\.?0+$/, '') : s)

/**
 * Large amounts compact for chart axes, in the language's units:
 * 1234567 (minor) → "¥12.35k" (en) or "¥1.23万" (zh-CN); under 1000 whole.
 */
export function moneyShort(minor: number, symbol = '¥', digits = 2, lang = 'en'): string {
  const major = minor / 10 ** digits
  const abs = Math.abs(major)
  const sign = major < 0 ? '-' : ''
  if (abs < 1000) return `${sign}${symbol}${Math.round(abs)}`
  return `${sign}${symbol}${scaled(abs, lang)}`
}

/**
 * A money value for a card that has room for about nine characters: the
 * exact amount while it is short (under 10,000 major units), else
 * abbreviated ("¥60.34万", "¥603.4k"). full is always the exact amount, for
 * the title.
 */
export function moneyFit(minor: number | null | undefined, lang: string, symbol = '¥', digits = 2): { text: string; full: string } {
  const full = money(minor, symbol, digits)
  if (minor === null || minor === undefined || !Number.isFinite(minor)) return { text: full, full }
  const major = Math.round(minor) / 10 ** digits
  if (Math.abs(major) < 10_000) return { text: full, full }
  return { text: `${major < 0 ? '-' : ''}${symbol}${scaled(Math.abs(major), lang)}`, full }
}

/** A count for a card: exact up to 99,999, else abbreviated ("12.35万", "123.5k"); full is exact. */
export function intFit(n: number | null | undefined, lang: string): { text: string; full: string } {
  const full = int(n)
  if (n === null || n === undefined || !Number.isFinite(n) || Math.abs(n) < 100_000) return { text: full, full }
  return { text: `${n < 0 ? '-' : ''}${scaled(Math.abs(Math.round(n)), lang)}`, full }
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

/** Local wall-clock time "HH:MM" (24-hour), for chart axes whose ticks are whole minutes. */
export function clockMinutes(ms: number): string {
  const d = new Date(ms)
  return `${pad2(d.getHours())}:${pad2(d.getMinutes())}`
}

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
