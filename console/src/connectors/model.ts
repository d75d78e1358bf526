// The connector API's shapes (docs: CONNECTORS contract, server routes under
// /api/v1/rooms/{room}/connectors) and the pure logic the sources panel and
// the connector admin page share: answers normalised defensively, the
// sources panel's rows (connector stats merged with the live snapshot's
// per-source freshness), and the admin form's fields turned into Settings.
// No DOM and no YAML here: the dashboard bundles this file.

import type { Freshness } from '../state/freshness'

export interface Format {
  format: string
  platform: string
  signed: boolean
  kinds: string[]
}

export interface ConnectorStats {
  /** Server clock, Unix ms; null: no message yet. */
  last_message_at: number | null
  messages: number
  /** Messages in the last 60 s. */
  per_min: number
  accepted: number
  duplicates: number
  ignored: number
  signature_failures: number
  dead_letters: number
}

export interface Settings {
  format: string
  products?: Record<string, string>
  currency?: string
  gift_rate?: string
  accept_test?: boolean
  mapping?: unknown
}

export interface Connector {
  source: string
  format: string
  platform: string
  settings: Settings
  has_secret: boolean
  /** False for a source that delivered with ?format= but has no saved settings. */
  saved: boolean
  /** Path (and query) of the ingest URL; absolute with the page's origin. */
  ingest_url: string
  stats: ConnectorStats
  /** Only in the answer of a PUT that generated a secret: shown once. */
  secret?: string
}

export interface TryMessage {
  index: number
  id: string
  kind: string
  events: unknown[]
  ignored: boolean
  error: string
}

export interface TryResult {
  messages: TryMessage[]
  signature: string // "ok" | "bad" | "not checked"
}

export interface DeadLetter {
  id: string
  source: string
  format: string
  index: number
  message_id: string
  kind: string
  reason: string
  raw: string
  /** Server clock, Unix ms. */
  received_at: number
}

export interface ReplayResult {
  replayed: number
  accepted: number
  duplicates: number
  failed: number
  remaining: number
}

type Raw = Record<string, unknown>
const obj = (v: unknown): Raw => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Raw) : {})
const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '')
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0)
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : [])

export function normalizeFormats(v: unknown): Format[] {
  return list(v).map(obj).filter((f) => str(f.format) !== '').map((f) => ({
    format: str(f.format), platform: str(f.platform), signed: f.signed === true, kinds: list(f.kinds).map(str),
  }))
}

export function normalizeStats(v: unknown): ConnectorStats {
  const s = obj(v)
  const last = s.last_message_at
  return {
    last_message_at: typeof last === 'number' && Number.isFinite(last) && last > 0 ? last : null,
    messages: num(s.messages), per_min: num(s.per_min), accepted: num(s.accepted), duplicates: num(s.duplicates),
    ignored: num(s.ignored), signature_failures: num(s.signature_failures), dead_letters: num(s.dead_letters),
  }
}

export function normalizeConnector(v: unknown): Connector {
  const c = obj(v)
  const settings = obj(c.settings) as unknown as Settings
  const out: Connector = {
    source: str(c.source), format: str(c.format) || str(settings.format), platform: str(c.platform),
    settings: { ...settings, format: str(settings.format) || str(c.format) },
    has_secret: c.has_secret === true, saved: c.saved !== false, ingest_url: str(c.ingest_url), stats: normalizeStats(c.stats),
  }
  if (typeof c.secret === 'string' && c.secret) out.secret = c.secret
  return out
}

export function normalizeConnectors(v: unknown): Connector[] {
  return list(v).map(normalizeConnector).filter((c) => c.source !== '').sort((a, b) => a.source.localeCompare(b.source))
}

export function normalizeTry(v: unknown): TryResult {
  const r = obj(v)
  return {
    signature: str(r.signature) || 'not checked',
    messages: list(r.messages).map(obj).map((m, i) => ({
      index: typeof m.index === 'number' ? m.index : i, id: str(m.id), kind: str(m.kind),
      events: list(m.events), ignored: m.ignored === true, error: str(m.error),
    })),
  }
}

export function normalizeDeadLetters(v: unknown): DeadLetter[] {
  return list(v).map(obj).filter((d) => str(d.id) !== '').map((d) => ({
    id: str(d.id), source: str(d.source), format: str(d.format), index: num(d.index), message_id: str(d.message_id),
    kind: str(d.kind), reason: str(d.reason), raw: typeof d.raw === 'string' ? d.raw : d.raw === undefined ? '' : JSON.stringify(d.raw),
    received_at: num(d.received_at),
  }))
}

export function normalizeReplay(v: unknown): ReplayResult {
  const r = obj(v)
  return { replayed: num(r.replayed), accepted: num(r.accepted), duplicates: num(r.duplicates), failed: num(r.failed), remaining: num(r.remaining) }
}

/** What a try says of one message: events, ignored, or an error. */
export function tryOutcome(m: TryMessage): 'events' | 'ignored' | 'error' {
  if (m.error) return 'error'
  if (m.ignored) return 'ignored'
  return 'events'
}

// ---- the sources panel ----

/** One row of the sources panel: a saved connector, a source seen in the snapshot, or both. */
export interface SourceRow {
  name: string
  /** A saved connector of the room (platform, format and stats known). */
  connector: boolean
  platform: string
  format: string
  /** Seconds since its newest message or event; null: nothing yet. */
  ageSeconds: number | null
  perMin: number
  stale: boolean
  signatureFailures: number
  ignored: number
  deadLetters: number
}

/**
 * The sources panel's rows: every source the snapshot reports (fresh ages
 * that tick between snapshots) merged by name with the room's saved
 * connectors (platform, message rate, signature failures, ignored and
 * dead-lettered messages). A connector's own last-message time counts
 * messages the snapshot never sees (ignored ones), so the newer of the two
 * ages wins. serverNow is the server's clock now (the connector stats'
 * clock), as the store estimates it.
 */
export function sourceRows(f: Freshness, connectors: readonly Connector[] | null, serverNow: number): SourceRow[] {
  const rows = new Map<string, SourceRow>()
  for (const s of f.sources) {
    rows.set(s.name, {
      name: s.name, connector: false, platform: '', format: '', ageSeconds: s.ageSeconds, perMin: s.perMin, stale: s.stale,
      signatureFailures: 0, ignored: 0, deadLetters: 0,
    })
  }
  for (const c of connectors ?? []) {
    const seen = rows.get(c.source)
    const last = c.stats.last_message_at
    const own = last === null ? null : Math.max(0, (serverNow - last) / 1000)
    const age = seen?.ageSeconds == null ? own : own === null ? seen.ageSeconds : Math.min(own, seen.ageSeconds)
    const ownStale = own !== null && f.staleAfter > 0 && own > f.staleAfter
    rows.set(c.source, {
      name: c.source, connector: true, platform: c.platform, format: c.format, ageSeconds: age,
      perMin: c.stats.per_min, stale: seen ? seen.stale && (own === null || ownStale) : ownStale,
      signatureFailures: c.stats.signature_failures, ignored: c.stats.ignored, deadLetters: c.stats.dead_letters,
    })
  }
  return [...rows.values()].sort((a, b) => a.name.localeCompare(b.name))
}

// ---- the admin form ----

/** Source names as the ingest query parameter carries them. */
export const SOURCE_NAME = /^[A-Za-z0-9_.-]{1,64}$/

/** The URL to paste into the platform: the page's origin and the server's ingest path. */
export function absoluteUrl(ingestUrl: string, origin: string): string {
  if (!ingestUrl) return ''
  try {
    return new URL(ingestUrl, origin).href
  } catch {
    return ingestUrl
  }
}

/** A problem found in a form field, by line where the field has lines. */
export interface FieldProblem {
  field: 'source' | 'format' | 'products' | 'currency' | 'gift_rate' | 'secret' | 'headers' | 'mapping'
  /** A message key. */
  key: 'cx.err.source' | 'cx.err.format' | 'cx.err.productLine' | 'cx.err.productDup' | 'cx.err.currency' | 'cx.err.giftRate' | 'cx.err.secret' | 'cx.err.header' | 'cx.err.mapping'
  line?: number
  text?: string
}

/**
 * Product mapping lines "platform-id = SKU" (blank lines and # comments
 * skipped) into Settings.products. Ids are kept as text: platform ids
 * exceed 2^53.
 */
export function parseProducts(text: string): { products: Record<string, string>; problems: FieldProblem[] } {
  const products: Record<string, string> = {}
  const problems: FieldProblem[] = []
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim()
    if (!line || line.startsWith('#')) return
    const at = line.indexOf('=')
    const id = at < 0 ? '' : line.slice(0, at).trim()
    const sku = at < 0 ? '' : line.slice(at + 1).trim()
    if (!id || !sku) problems.push({ field: 'products', key: 'cx.err.productLine', line: i + 1, text: line })
    else if (id in products) problems.push({ field: 'products', key: 'cx.err.productDup', line: i + 1, text: id })
    else products[id] = sku
  })
  return { products, problems }
}

/** Settings.products back into editable lines, sorted by id. */
export function formatProducts(p: Record<string, string> | undefined): string {
  return Object.entries(p ?? {}).sort((a, b) => a[0].localeCompare(b[0])).map(([id, sku]) => `${id} = ${sku}`).join('\n')
}

/** "Name: value" lines into the try route's X-Try-Header-Name headers. */
export function tryHeaders(text: string): { headers: Record<string, string>; problems: FieldProblem[] } {
  const headers: Record<string, string> = {}
  const problems: FieldProblem[] = []
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim()
    if (!line) return
    const at = line.indexOf(':')
    const name = at < 0 ? '' : line.slice(0, at).trim()
    if (!/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(name)) {
      problems.push({ field: 'headers', key: 'cx.err.header', line: i + 1, text: line })
      return
    }
    headers[`X-Try-Header-${name}`] = line.slice(at + 1).trim()
  })
  return { headers, problems }
}

/** The admin form's fields, as typed. */
export interface ConnectorForm {
  source: string
  format: string
  products: string
  currency: string
  giftRate: string
  acceptTest: boolean
  /** A platform-issued secret pasted in; '' keeps the saved one. */
  secret: string
  generateSecret: boolean
  /** The mapping spec (format "mapping"), already parsed by the page. */
  mapping?: unknown
}

/** The PUT body for a form, or the problems that keep it from being sent. */
export function connectorBody(f: ConnectorForm): { body: Raw | null; problems: FieldProblem[] } {
  const problems: FieldProblem[] = []
  if (!SOURCE_NAME.test(f.source.trim())) problems.push({ field: 'source', key: 'cx.err.source' })
  if (!f.format) problems.push({ field: 'format', key: 'cx.err.format' })
  const { products, problems: pp } = parseProducts(f.products)
  problems.push(...pp)
  const currency = f.currency.trim().toUpperCase()
  if (currency && !/^[A-Z]{3}$/.test(currency)) problems.push({ field: 'currency', key: 'cx.err.currency' })
  const rate = f.giftRate.trim()
  if (rate && !(/^\d+(\.\d+)?$/.test(rate) && /[1-9]/.test(rate))) problems.push({ field: 'gift_rate', key: 'cx.err.giftRate' })
  if (f.secret && f.generateSecret) problems.push({ field: 'secret', key: 'cx.err.secret' })
  if (f.format === 'mapping' && (f.mapping === undefined || f.mapping === null)) problems.push({ field: 'mapping', key: 'cx.err.mapping' })
  if (problems.length) return { body: null, problems }
  const body: Raw = { format: f.format }
  if (Object.keys(products).length) body.products = products
  if (currency) body.currency = currency
  if (rate) body.gift_rate = rate
  if (f.acceptTest) body.accept_test = true
  if (f.format === 'mapping') body.mapping = f.mapping
  if (f.secret) body.secret = f.secret
  if (f.generateSecret) body.generate_secret = true
  return { body, problems }
}

/** A located problem the server found in saved settings. */
export interface ServerProblem {
  path: string
  message: string
  /** Column inside the value at path (an expression), 1-based; 0: unknown. */
  column: number
}

/** The located problems of a refused PUT: at the top level or inside the error envelope. */
export function serverProblems(body: unknown): ServerProblem[] {
  const b = obj(body)
  const raw = Array.isArray(b.problems) ? b.problems : list(obj(b.error).problems)
  return raw.map(obj).map((p) => ({ path: str(p.path), message: str(p.message) || str(p.error), column: num(p.column) }))
}
