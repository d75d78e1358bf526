// HTTP API client. Every error becomes an ApiError carrying the server's
// {"error":{"code","field","message"}} when there is one; a 401 also calls
// the login hook, so any view that hits one shows the login form.

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    readonly body?: unknown,
  ) {
    super(message)
    this.name = 'ApiError'
  }
}

type UnauthorizedHook = () => void
let onUnauthorized: UnauthorizedHook = () => {}

// A console session's CSRF token, sent on every state-changing request. It
// comes with the login answer and from GET /api/auth/me.
const CSRF_HEADER = 'X-CSRF-Token'
let csrfToken = ''

export function setCsrfToken(token: string | undefined): void {
  csrfToken = token ?? ''
}

/** Who the console's caller is, as GET /api/auth/me and the login answer say. */
export interface Me {
  kind?: string
  name?: string
  role?: string
  rooms?: string[]
  csrf_token?: string
}

let me: Me | null = null

/** Keeps who we are (from /api/auth/me or the login answer) and its CSRF token. */
export function setMe(m: Me | null | undefined): void {
  me = m && typeof m === 'object' ? m : null
  setCsrfToken(me?.csrf_token)
}

/** The caller's role; '' while unknown (not signed in yet). */
export function myRole(): string {
  return me?.role ?? ''
}

/** Reads who we are (and the CSRF token) without triggering the login form; false if unknown. */
export async function loadSession(f: typeof fetch = fetch): Promise<boolean> {
  try {
    const res = await f('/api/auth/me', { credentials: 'same-origin', headers: { Accept: 'application/json' } })
    if (!res.ok) return false
    setMe((await res.json()) as Me)
    return true
  } catch {
    return false
  }
}

/** Installs what to do on a 401 (the login form). */
export function setUnauthorizedHook(fn: UnauthorizedHook): void {
  onUnauthorized = fn
}

export interface RequestOptions {
  json?: unknown
  /** A raw text body (YAML rules) with its content type. */
  text?: string
  contentType?: string
  accept?: string
  /** Extra request headers (a connector try's X-Try-Header-* lines). */
  headers?: Record<string, string>
  signal?: AbortSignal
  fetch?: typeof fetch
}

/** Decodes an error body into an ApiError (also used for JSON bodies of 200s that carry "error"). */
export function toApiError(status: number, body: unknown, fallback: string): ApiError {
  const e = (body as { error?: { code?: string; field?: string; message?: string } } | null)?.error
  if (e && typeof e === 'object') {
    return new ApiError(status, e.code ?? String(status), e.message ?? fallback, e.field, body)
  }
  if (typeof body === 'string' && body.trim()) return new ApiError(status, String(status), body.trim().slice(0, 300))
  return new ApiError(status, String(status), fallback, undefined, body)
}

export async function request<T = unknown>(method: string, path: string, o: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { ...o.headers, Accept: o.accept ?? 'application/json' }
  let body: string | undefined
  if (o.json !== undefined) {
    headers['Content-Type'] = 'application/json'
    body = JSON.stringify(o.json)
  } else if (o.text !== undefined) {
    headers['Content-Type'] = o.contentType ?? 'text/plain; charset=utf-8'
    body = o.text
  }
  if (csrfToken && method !== 'GET' && method !== 'HEAD') headers[CSRF_HEADER] = csrfToken
  const f = o.fetch ?? fetch
  let res: Response
  try {
    res = await f(path, { method, headers, body, credentials: 'same-origin', signal: o.signal })
  } catch (err) {
    if ((err as Error)?.name === 'AbortError') throw err
    throw new ApiError(0, 'network', (err as Error)?.message || 'network error')
  }
  const type = res.headers.get('Content-Type') ?? ''
  const raw = await res.text()
  let parsed: unknown = raw
  if (type.includes('json') && raw) {
    try {
      parsed = JSON.parse(raw)
    } catch {
      parsed = raw
    }
  }
  if (res.status === 401) {
    onUnauthorized()
    throw toApiError(401, parsed, 'not authenticated')
  }
  if (!res.ok) throw toApiError(res.status, parsed, res.statusText || `HTTP ${res.status}`)
  return parsed as T
}

export const api = {
  get: <T>(path: string, o?: RequestOptions) => request<T>('GET', path, o),
  post: <T>(path: string, o?: RequestOptions) => request<T>('POST', path, o),
  put: <T>(path: string, o?: RequestOptions) => request<T>('PUT', path, o),
  del: <T>(path: string, o?: RequestOptions) => request<T>('DELETE', path, o),
}

/** Path-safe room id. */
export const roomPath = (room: string): string => `/api/v1/rooms/${encodeURIComponent(room)}`
