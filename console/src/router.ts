// Hash routes: #/rooms, #/operator?rooms=r1,r2, #/host?room=r1[&transparent=1],
// #/producer?room=r1, #/review?room=r1[&compare=r0][&window=5],
// #/connectors?room=r1, #/wall?rooms=r1,r2 (the big screen). Hash routing
// needs no server support beyond "/".

export type RouteName = 'rooms' | 'operator' | 'host' | 'producer' | 'review' | 'connectors' | 'wall'

export interface Route {
  name: RouteName
  rooms: string[]
  params: URLSearchParams
}

const ROOM_ID = /^[A-Za-z0-9_.-]{1,64}$/

/** A room id as the server accepts it. */
export const validRoom = (s: string): boolean => ROOM_ID.test(s)

export function parseRoute(hash: string): Route {
  const h = hash.replace(/^#/, '')
  const [path, query = ''] = h.split('?', 2)
  const params = new URLSearchParams(query)
  const name = path.replace(/^\/+|\/+$/g, '')
  const list = (params.get('rooms') ?? params.get('room') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => ROOM_ID.test(s))
  const rooms = [...new Set(list)].slice(0, 20)
  switch (name) {
    case 'operator':
    case 'host':
    case 'producer':
    case 'review':
    case 'connectors':
    case 'wall':
      if (rooms.length) return { name, rooms: name === 'operator' || name === 'wall' ? rooms : rooms.slice(0, 1), params }
      return { name: 'rooms', rooms: [], params }
    default:
      return { name: 'rooms', rooms: [], params }
  }
}

export function href(name: RouteName, rooms: string[] = [], extra: Record<string, string> = {}): string {
  const q = new URLSearchParams()
  if (name === 'operator' || name === 'wall') q.set('rooms', rooms.join(','))
  else if (rooms.length) q.set('room', rooms[0])
  for (const [k, v] of Object.entries(extra)) q.set(k, v)
  const qs = q.toString().replace(/%2C/g, ',')
  return `#/${name}${qs ? '?' + qs : ''}`
}
