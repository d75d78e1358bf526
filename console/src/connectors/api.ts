// Calls of the connector routes, answers normalised.

import { api, roomPath } from '../api'
import {
  normalizeConnector, normalizeConnectors, normalizeDeadLetters, normalizeFormats, normalizeReplay, normalizeTry,
  type Connector, type DeadLetter, type Format, type ReplayResult, type TryResult,
} from './model'

const src = (room: string, source: string) => `${roomPath(room)}/connectors/${encodeURIComponent(source)}`

export const connectorsApi = {
  formats: async (signal?: AbortSignal): Promise<Format[]> => normalizeFormats(await api.get('/api/v1/connectors/formats', { signal })),
  list: async (room: string, signal?: AbortSignal): Promise<Connector[]> => normalizeConnectors(await api.get(`${roomPath(room)}/connectors`, { signal })),
  put: async (room: string, source: string, body: unknown): Promise<Connector> => normalizeConnector(await api.put(src(room, source), { json: body })),
  remove: (room: string, source: string): Promise<unknown> => api.del(src(room, source)),
  try: async (room: string, source: string, sample: string, headers: Record<string, string>): Promise<TryResult> =>
    normalizeTry(await api.post(`${src(room, source)}/try`, { text: sample, contentType: 'application/json', headers })),
  deadLetters: async (room: string, source: string, signal?: AbortSignal): Promise<DeadLetter[]> => {
    const q = new URLSearchParams({ source, count: '50' })
    return normalizeDeadLetters(await api.get(`${roomPath(room)}/dead-letters?${q}`, { signal }))
  },
  replay: async (room: string, source: string, ids?: string[]): Promise<ReplayResult> =>
    normalizeReplay(await api.post(`${roomPath(room)}/dead-letters/replay`, { json: ids ? { source, ids } : { source } })),
}
