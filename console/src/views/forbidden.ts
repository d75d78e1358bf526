// Which views a role may open (the server's policy, as the console needs
// it for links), and what a refused view shows instead of the raw API
// error: a translated explanation and the way back.

import { ApiError } from '../api'
import { h } from '../dom'
import { t, type MsgKey } from '../i18n'
import { href, type RouteName } from '../router'

/** Roles that may open each view; a view not listed is open to every role. */
const VIEW_ROLES: Partial<Record<RouteName, readonly string[]>> = {
  operator: ['admin', 'producer', 'operator'],
  wall: ['admin', 'producer', 'operator'],
  producer: ['admin', 'producer'],
  review: ['admin', 'producer', 'operator'],
  connectors: ['admin'],
}

/** Whether role may open view; an unknown role ('': not signed in yet) may try every view. */
export function mayOpen(view: RouteName, role: string): boolean {
  const roles = VIEW_ROLES[view]
  return !role || !roles || roles.includes(role)
}

const CODES = ['invalid', 'not_found', 'conflict', 'too_large', 'rate_limited', 'unavailable', 'unauthorized', 'forbidden', 'internal', 'network'] as const

/**
 * An API error in the page's language: the code's explanation, and for a
 * refused value (invalid, conflict) the server's own detail, which names
 * the field.
 */
export function apiErrorText(e: unknown): string {
  if (!(e instanceof ApiError)) return t('error.internal')
  const code = (CODES as readonly string[]).includes(e.code) ? e.code : e.status === 403 ? 'forbidden' : e.status === 404 ? 'not_found' : e.status >= 500 ? 'internal' : ''
  if (!code) return e.message
  return t(`error.${code}` as MsgKey, { detail: e.message })
}

/** A refused page: what happened in words, and the way back. */
export function forbiddenPage(message: string): HTMLElement {
  return h('div', { class: 'card forbidden', testid: 'forbidden' },
    h('p', { class: 'error', text: message, attrs: { role: 'alert' } }),
    h('a', { class: 'btn', testid: 'forbidden-back', text: t('common.backToRooms'), attrs: { href: href('rooms') } }))
}
