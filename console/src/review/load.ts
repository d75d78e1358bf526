// The review page's requests: the review (or comparison), closing the
// broadcast, the rooms to compare with and the caller's role; and what each
// failure tells the user.

import { api, ApiError, roomPath } from '../api'
import { t } from '../i18n'
import { reviewPath, type ReviewQuery } from './query'
import { comparisonOf, reviewOf, type Comparison, type Review } from './shapes'

export interface Loaded {
  review: Review
  comparison: Comparison | null
  /** Why the comparison is missing when one was asked for. */
  compareError: ApiError | null
}

const badAnswer = (): ApiError => new ApiError(502, 'bad_response', t('review.badAnswer'))

async function plain(q: ReviewQuery, signal?: AbortSignal): Promise<Review> {
  const review = reviewOf(await api.get<unknown>(reviewPath({ ...q, compare: '' }), { signal }))
  if (!review) throw badAnswer()
  return review
}

/**
 * The review of q.room and, when q.compare is set, its comparison. A failed
 * comparison still shows the review alone (with the reason), unless the
 * caller must sign in first.
 */
export async function loadReview(q: ReviewQuery, signal?: AbortSignal): Promise<Loaded> {
  if (!q.compare) return { review: await plain(q, signal), comparison: null, compareError: null }
  try {
    const comparison = comparisonOf(await api.get<unknown>(reviewPath(q), { signal }))
    if (!comparison) throw badAnswer()
    return { review: comparison.review, comparison, compareError: null }
  } catch (e) {
    if (!(e instanceof ApiError) || e.status === 401) throw e
    return { review: await plain(q, signal), comparison: null, compareError: e }
  }
}

/** Ends the broadcast; the server answers with the stored review. */
export async function closeBroadcast(room: string): Promise<Review> {
  const review = reviewOf(await api.post<unknown>(`${roomPath(room)}/close`))
  if (!review) throw badAnswer()
  return review
}

export interface RoomChoice {
  id: string
  title: string
  status: string
}

/** Other rooms to compare with: closed shows first, then by id. Empty when the list is not available. */
export async function otherRooms(room: string): Promise<RoomChoice[]> {
  try {
    const list = await api.get<unknown>('/api/v1/rooms')
    if (!Array.isArray(list)) return []
    return list
      .filter((r): r is RoomChoice => typeof r?.id === 'string' && r.id !== room)
      .map((r) => ({ id: r.id, title: typeof r.title === 'string' ? r.title : '', status: typeof r.status === 'string' ? r.status : '' }))
      .sort((a, b) => Number(a.status !== 'closed') - Number(b.status !== 'closed') || a.id.localeCompare(b.id))
  } catch {
    return []
  }
}

/** Whether the caller may end a broadcast (admin or producer); true when unknown, so the server decides. */
export async function mayClose(): Promise<boolean> {
  try {
    const me = await api.get<{ role?: string }>('/api/auth/me')
    return !me?.role || me.role === 'admin' || me.role === 'producer'
  } catch {
    return true
  }
}

export interface Problem {
  message: string
  /** Whether trying again may help (network, server errors). */
  retry: boolean
}

/** What a failed request means to the user of the review page. */
export function problemOf(e: unknown, room: string): Problem {
  if (!(e instanceof ApiError)) return { message: t('common.error', { message: String((e as Error)?.message ?? e) }), retry: true }
  switch (e.status) {
    case 0:
      return { message: t('review.network'), retry: true }
    case 401:
      return { message: t('conn.auth'), retry: true }
    case 403:
      return { message: t('review.forbidden', { room }), retry: false }
    case 404:
      return { message: t('review.notFound', { room }), retry: false }
    default:
      return { message: t('common.error', { message: e.message }), retry: e.status >= 500 || e.status === 429 }
  }
}
