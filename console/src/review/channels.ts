// Paid traffic per channel: what each spent and the GMV of the orders the
// platform attributed to it, most spend first.

import { int } from '../format'
import { t } from '../i18n'
import type { MoneyFormat } from './numbers'
import type { ChannelResult } from './shapes'
import { card, dataTable, type Column } from './ui'

const COLS: Column<ChannelResult, MoneyFormat>[] = [
  { label: 'review.channel', head: true, cell: (r) => r.channel },
  { label: 'kpi.spend', num: true, cell: (r, m) => m.full(r.spend) },
  { label: 'kpi.gmv', num: true, cell: (r, m) => m.full(r.gmv) },
  { label: 'kpi.orders', num: true, cell: (r) => int(r.orders) },
  { label: 'kpi.roi', num: true, cell: (r) => (r.spend > 0 ? r.roi.toFixed(2) : '–') },
]

export function channelTable() {
  const table = dataTable({ testid: 'review-channel-table', cols: COLS, rowTestid: 'review-channel-row', empty: 'review.noChannels' })
  const el = card(t('review.channels'), 'review-channels', table.el)
  return {
    el,
    render: (channels: readonly ChannelResult[], m: MoneyFormat) =>
      table.render([...channels].sort((a, b) => b.spend - a.spend || a.channel.localeCompare(b.channel)), m),
  }
}
