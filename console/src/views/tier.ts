// A price tier's line under its coupon, for people: the tier's own name
// when a producer gave it one in words, else what it does ("满 ¥199.00 减
// ¥20.00") — never a rule id such as "tier-2000".

import { money } from '../format'
import { t } from '../i18n'
import type { Tier } from '../protocol'

/** Names made only of id characters (letters, digits, - _ . : /) are rule ids, not names. */
const RULE_ID = /^[A-Za-z0-9_.:/-]+$/

export function tierLabel(tier: Tier | null | undefined): string {
  if (!tier) return ''
  const name = (tier.name ?? '').trim()
  if (name && !RULE_ID.test(name)) return name === tier.coupon ? '' : name
  if (tier.threshold && tier.discount) return t('tier.spendSave', { threshold: money(tier.threshold), discount: money(tier.discount) })
  return ''
}
