// Forwarder: sends JSON messages to a LiveDeck room's ingest websocket
// (GET /api/v1/rooms/{room}/ingest?format=tiktok-live&source=…) in batches,
// one batch in flight, each waiting for its acknowledgement. Messages stay
// queued, in order, until acknowledged: a failed or unacknowledged batch is
// sent again, on a new connection if need be. The queue is bounded and put()
// waits while it is full. LiveDeck counts a resent message once, because the
// tiktok-live adapter derives event ids from TikTok's msgId.
import { WebSocket } from 'ws';

// The library events LiveDeck's tiktok-live adapter maps (docs/connectors.md).
export const EVENTS = Object.freeze([
  'chat', 'member', 'like', 'social', 'follow', 'share', 'gift',
  'roomUser', 'questionNew', 'envelope', 'streamEnd',
]);

// encode serialises one library event as {"event":NAME,"data":{…}}. The
// decoded protobuf objects may hold BigInt (as strings here) and byte fields
// (as base64 here, not as {"0":…} objects).
export function encode(event, data) {
  return JSON.stringify({ event, data }, function (key, value) {
    const raw = this[key];
    if (typeof raw === 'bigint') return raw.toString();
    if (raw instanceof Uint8Array) return Buffer.from(raw).toString('base64');
    return value;
  });
}

// subscribe forwards every event of EVENTS that connection (a
// TikTokLiveConnection, or any EventEmitter emitting the same events) emits.
// It returns a function that removes the listeners.
export function subscribe(connection, forwarder, log = console) {
  const off = [];
  for (const name of EVENTS) {
    const fn = (data) => {
      forwarder.put(encode(name, data)).catch((err) => log.error(`tiktok-forwarder: ${name} not queued: ${err.message}`));
    };
    connection.on(name, fn);
    off.push(() => connection.off(name, fn));
  }
  return () => off.forEach((f) => f());
}

// delay is the wait before retry number attempt: a random duration in
// [d/2, d], d = minMs·2^attempt capped at maxMs.
export function delay(attempt, { minMs = 1000, maxMs = 30000 } = {}) {
  const d = Math.min(maxMs, minMs * 2 ** Math.min(attempt, 30));
  return d / 2 + Math.random() * (d / 2);
}

const RETRY_LATER = new Set(['rate_limited', 'unavailable', 'internal']);
const SPLIT = new Set(['too_large', 'invalid']);

export class Forwarder {
  #opts;
  #url;
  #queue = []; // JSON strings, oldest first
  #sent = 0; // how many of the oldest were sent at least once
  #waiters = []; // resolved on every queue change
  #stopped = false;
  #ws = null;
  #wakeSleep = null;
  #running = null;

  // opts: server (http(s)://host:port), room, token, format ('tiktok-live'),
  // source (default: format), maxBatch (200), maxBatchBytes (1 MiB),
  // maxQueue (10000), ackTimeoutMs (30000), backoff {minMs, maxMs}, log.
  constructor(opts) {
    this.#opts = { format: 'tiktok-live', maxBatch: 200, maxBatchBytes: 1 << 20, maxQueue: 10000, ackTimeoutMs: 30000,
      backoff: {}, log: console, ...opts };
    this.#url = ingestURL(this.#opts);
    this.stats = { forwarded: 0, retried: 0, rejected: 0, refused: 0, accepted: 0, duplicates: 0, reconnects: 0 };
  }

  get pending() { return this.#queue.length; }

  // put queues one message (a JSON string), waiting while the queue is full.
  async put(json) {
    while (this.#queue.length >= this.#opts.maxQueue) await this.#changed();
    this.#queue.push(json);
    this.#signal();
  }

  // start runs the connection loop until stop().
  start() {
    this.#running ??= this.#run();
    return this;
  }

  // drain resolves once every message queued so far is acknowledged, or
  // after ms (then it rejects).
  async drain(ms = 10000) {
    const deadline = Date.now() + ms;
    while (this.#queue.length > 0) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`${this.#queue.length} messages not acknowledged by LiveDeck`);
      await Promise.race([this.#changed(), sleepFor(Math.min(left, 1000))]);
    }
  }

  // stop closes the connection and ends the loop; messages still queued
  // are reported by pending.
  async stop() {
    this.#stopped = true;
    this.#wakeSleep?.();
    this.#ws?.close(1000);
    this.#signal();
    await this.#running;
  }

  #changed() { return new Promise((resolve) => this.#waiters.push(resolve)); }

  #signal() {
    const w = this.#waiters;
    this.#waiters = [];
    w.forEach((f) => f());
  }

  async #run() {
    const { log, backoff } = this.#opts;
    for (let attempt = 0; !this.#stopped; attempt++) {
      let progressed = false;
      try {
        progressed = await this.#connection();
      } catch (err) {
        if (!this.#stopped) log.warn(`tiktok-forwarder: LiveDeck connection ended: ${err.message}`);
      }
      if (this.#stopped) break;
      if (progressed) attempt = 0;
      this.stats.reconnects++;
      await new Promise((resolve) => {
        const t = setTimeout(resolve, delay(attempt, backoff));
        this.#wakeSleep = () => { clearTimeout(t); resolve(); };
      });
    }
  }

  // #connection sends batches on one websocket until it fails; it reports
  // whether any batch was acknowledged.
  async #connection() {
    const { token, log } = this.#opts;
    const ws = new WebSocket(this.#url, { headers: token ? { Authorization: `Bearer ${token}` } : {}, handshakeTimeout: 10000 });
    this.#ws = ws;
    const conn = new Conn(ws);
    try {
      await conn.opened;
      log.info?.(`tiktok-forwarder: connected to ${this.#url.split('?')[0]}`);
      let progressed = false;
      let limit = this.#opts.maxBatch;
      for (let seq = 1; !this.#stopped; seq++) {
        while (this.#queue.length === 0 && !this.#stopped && !conn.isClosed) await Promise.race([this.#changed(), conn.closed]);
        if (this.#stopped) break;
        if (conn.isClosed) throw new Error('connection closed');
        const batch = this.#peek(limit);
        const again = Math.min(batch.length, this.#sent);
        this.#sent = Math.max(this.#sent, batch.length);
        this.stats.retried += again;
        const ack = await conn.send(`[${batch.join(',')}]`, seq, this.#opts.ackTimeoutMs);
        const n = await this.#handle(batch, ack);
        if (n > 0) {
          progressed = true;
          limit = this.#opts.maxBatch;
        } else if (n < 0) {
          limit = Math.max(1, Math.floor(batch.length / 2));
        }
      }
      return progressed;
    } finally {
      this.#ws = null;
      ws.terminate();
    }
  }

  #peek(limit) {
    const out = [];
    let size = 0;
    for (const m of this.#queue) {
      if (out.length >= limit || (out.length > 0 && size + m.length + 1 > this.#opts.maxBatchBytes)) break;
      out.push(m);
      size += m.length + 1;
    }
    return out;
  }

  #drop(n) {
    this.#queue.splice(0, n);
    this.#sent = Math.max(0, this.#sent - n);
    this.#signal();
  }

  // #handle acts on an acknowledgement; it returns how many messages left
  // the queue, 0 to send the same batch again, -1 to send half of it.
  async #handle(batch, ack) {
    const { log, backoff } = this.#opts;
    if (!ack.error) {
      for (const r of ack.rejected ?? []) {
        log.warn(`tiktok-forwarder: LiveDeck rejected message ${r.index} (${r.kind ?? ''} ${r.message_id ?? ''}): ${r.reason}`);
      }
      Object.assign(this.stats, {
        forwarded: this.stats.forwarded + batch.length,
        rejected: this.stats.rejected + (ack.rejected?.length ?? 0),
        accepted: this.stats.accepted + (ack.accepted ?? 0),
        duplicates: this.stats.duplicates + (ack.duplicates ?? 0),
      });
      this.#drop(batch.length);
      return batch.length;
    }
    const { code, message } = ack.error;
    if (RETRY_LATER.has(code)) {
      log.warn(`tiktok-forwarder: LiveDeck could not take a batch now (${code}: ${message}); sending it again`);
      await sleepFor(ack.retry_after > 0 ? ack.retry_after * 1000 : delay(0, backoff));
      return 0;
    }
    if (SPLIT.has(code)) {
      if (batch.length > 1) return -1;
      log.error(`tiktok-forwarder: LiveDeck refused a message on its own (${code}: ${message}); not forwarded: ${batch[0].slice(0, 500)}`);
      this.stats.refused++;
      this.#drop(1);
      return 1;
    }
    throw new Error(`batch refused: ${code}: ${message}`);
  }
}

// Conn wraps one websocket: acknowledgements in order, closing as a promise.
class Conn {
  constructor(ws) {
    this.ws = ws;
    this.pending = null; // {seq, resolve, reject}
    this.isClosed = false;
    this.closed = new Promise((resolve) => {
      this.opened = new Promise((ok, fail) => {
        ws.once('open', ok);
        ws.once('unexpected-response', (_, res) => fail(new Error(`HTTP ${res.statusCode}`)));
        ws.once('error', fail);
      });
      ws.on('error', () => {});
      ws.on('close', (code) => {
        this.isClosed = true;
        this.pending?.reject(new Error(`connection closed (${code}) before the acknowledgement`));
        resolve();
      });
    });
    this.opened.catch(() => {});
    ws.on('message', (data) => {
      let ack;
      try { ack = JSON.parse(data.toString()); } catch { ws.terminate(); return; }
      const p = this.pending;
      if (!p || ack.seq !== p.seq) {
        p?.reject(new Error(`acknowledgement ${ack.seq}, expected ${p?.seq ?? 'none'}`));
        ws.terminate();
        return;
      }
      p.resolve(ack);
    });
  }

  send(body, seq, timeoutMs) {
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no acknowledgement of batch ${seq} within ${timeoutMs} ms`)), timeoutMs);
      this.pending = {
        seq,
        resolve: (a) => { clearTimeout(t); this.pending = null; resolve(a); },
        reject: (e) => { clearTimeout(t); this.pending = null; reject(e); },
      };
      this.ws.send(body, (err) => err && this.pending?.reject(err));
    });
  }
}

// ingestURL is the websocket URL of the ingest endpoint.
export function ingestURL({ server, room, format, source }) {
  const u = new URL(server);
  if (!['http:', 'https:', 'ws:', 'wss:'].includes(u.protocol) || !room) {
    throw new Error(`tiktok-forwarder: want --server http(s)://host:port and --room (got ${server}, ${room})`);
  }
  u.protocol = u.protocol === 'https:' || u.protocol === 'wss:' ? 'wss:' : 'ws:';
  u.pathname = `${u.pathname.replace(/\/$/, '')}/api/v1/rooms/${encodeURIComponent(room)}/ingest`;
  u.search = new URLSearchParams({ format, source: source || format }).toString();
  return u.toString();
}

function sleepFor(ms) { return new Promise((r) => setTimeout(r, ms)); }
