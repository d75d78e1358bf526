// Reconnect delays: exponential growth with "equal jitter" — half of the
// delay is fixed, half random — so a server restart is not met by every
// console reconnecting in the same millisecond, yet no retry comes at once.

export interface BackoffOptions {
  baseMs?: number // first delay before jitter; zero means 500
  maxMs?: number // ceiling; zero means 15000
  random?: () => number // [0,1); Math.random by default
}

export function backoffDelay(attempt: number, opts: BackoffOptions = {}): number {
  const base = opts.baseMs || 500
  const max = opts.maxMs || 15000
  const rnd = opts.random ?? Math.random
  const exp = Math.min(max, base * 2 ** Math.max(0, Math.min(attempt, 30)))
  return Math.round(exp / 2 + rnd() * (exp / 2))
}
