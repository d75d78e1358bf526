// Tests of the forwarder on recorded events (test/fixtures/events.json)
// against a local stand-in for LiveDeck's ingest websocket that acknowledges
// in order, dedupes by event id as LiveDeck does, and misbehaves on purpose.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { WebSocketServer } from 'ws';
import { Forwarder, subscribe, encode, EVENTS, ingestURL } from '../forwarder.js';

const fixture = JSON.parse(readFileSync(new URL('./fixtures/events.json', import.meta.url)));
const quiet = { info() {}, warn() {}, error() {} };

// fakeLiveDeck answers each batch per behave(n, msgs) → 'store' | 'store-drop'
// (stored, connection dropped before the ack) | 'drop' | {error:{code}}.
async function fakeLiveDeck(behave = () => 'store') {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise((r) => wss.once('listening', r));
  const s = { stored: [], seen: new Set(), received: [], batches: 0, conns: 0, up: true, wss };
  wss.on('connection', (ws, req) => {
    const u = new URL(req.url, 'http://x');
    if (!s.up || req.headers.authorization !== 'Bearer tok' || u.pathname !== '/api/v1/rooms/r1/ingest' || u.searchParams.get('format') !== 'tiktok-live') {
      ws.terminate();
      return;
    }
    s.conns++;
    let seq = 0;
    ws.on('message', (data) => {
      seq++;
      const msgs = JSON.parse(data.toString());
      assert.ok(Array.isArray(msgs), 'each batch is a JSON array');
      s.batches++;
      s.received.push(...msgs);
      const act = behave(s.batches, msgs);
      if (act?.error) {
        ws.send(JSON.stringify({ seq, accepted: 0, duplicates: 0, rejected: [], ...act }));
        return;
      }
      const ack = { seq, accepted: 0, duplicates: 0, rejected: [] };
      if (act === 'store' || act === 'store-drop') {
        for (const m of msgs) {
          const id = m.data.common?.msgId ? `tt:${m.data.common.msgId}` : `tt:${m.event}:${JSON.stringify(m.data)}`;
          if (s.seen.has(id)) { ack.duplicates++; continue; }
          s.seen.add(id);
          s.stored.push(m);
          ack.accepted++;
        }
      }
      if (act === 'drop' || act === 'store-drop') { ws.terminate(); return; }
      ws.send(JSON.stringify(ack));
    });
  });
  s.url = `http://127.0.0.1:${wss.address().port}`;
  s.close = () => new Promise((r) => { wss.clients.forEach((c) => c.terminate()); wss.close(r); });
  return s;
}

function forwarder(server, opts = {}) {
  return new Forwarder({ server, room: 'r1', token: 'tok', log: quiet, backoff: { minMs: 5, maxMs: 20 }, ...opts }).start();
}

// emitAll plays the fixture through an emitter standing in for
// TikTokLiveConnection, with events LiveDeck does not map in between.
async function emitAll(fwd) {
  const conn = new EventEmitter();
  subscribe(conn, fwd, quiet);
  for (const { event, data } of fixture.events) {
    conn.emit(event, data);
    conn.emit('rawData', 'WebcastChatMessage', Buffer.from([1, 2]));
    conn.emit('controlMessage', { action: 1 });
  }
}

const unique = new Set(fixture.events.map((e) => JSON.stringify(e.data))).size;

test('every recorded event reaches LiveDeck once, in order, as {event,data}', async () => {
  const ld = await fakeLiveDeck((n) => (n === 2 ? 'store-drop' : n === 4 ? { error: { code: 'unavailable', message: 'redis down' } } : n === 6 ? 'drop' : 'store'));
  const fwd = forwarder(ld.url, { maxBatch: 3 });
  await emitAll(fwd);
  await fwd.drain(5000);
  await fwd.stop();
  await ld.close();

  assert.equal(ld.stored.length, unique);
  const want = [];
  const seen = new Set();
  for (const e of fixture.events) {
    if (!seen.has(JSON.stringify(e.data))) { seen.add(JSON.stringify(e.data)); want.push(e); }
  }
  assert.deepEqual(ld.stored, want, 'stored in the order the library emitted them, data unchanged');
  for (const m of ld.received) assert.ok(EVENTS.includes(m.event), `only mapped events: ${m.event}`);
  assert.equal(fwd.stats.forwarded, fixture.events.length);
  assert.ok(fwd.stats.retried >= 3, `retried ${fwd.stats.retried}`);
  assert.ok(fwd.stats.reconnects >= 2, `reconnects ${fwd.stats.reconnects}`);
  assert.ok(fwd.stats.duplicates >= 1, 'the redelivered chat and the resent batch count as duplicates');
  assert.equal(fwd.pending, 0);
});

test('while LiveDeck is down, put waits once the queue is full; nothing is lost', async () => {
  const ld = await fakeLiveDeck();
  ld.up = false;
  const fwd = forwarder(ld.url, { maxQueue: 4 });
  const puts = fixture.events.slice(0, 8).map((e) => fwd.put(encode(e.event, e.data)));
  const settled = await Promise.race([Promise.all(puts).then(() => 'all'), new Promise((r) => setTimeout(() => r('waiting'), 100))]);
  assert.equal(settled, 'waiting');
  assert.equal(fwd.pending, 4);
  ld.up = true;
  await Promise.all(puts);
  await fwd.drain(5000);
  await fwd.stop();
  await ld.close();
  assert.equal(ld.stored.length, 8);
  assert.deepEqual(ld.stored.map((m) => m.data.common.msgId), fixture.events.slice(0, 8).map((e) => e.data.common.msgId));
});

test('too large batches are halved; a message refused alone is counted and skipped', async () => {
  const bad = fixture.events[5].data.common.msgId;
  const ld = await fakeLiveDeck((n, msgs) => {
    if (msgs.length > 4) return { error: { code: 'too_large', message: 'split' } };
    if (msgs.some((m) => m.data.common?.msgId === bad)) return { error: { code: 'invalid', message: 'bad' } };
    return 'store';
  });
  const fwd = forwarder(ld.url, { maxBatch: 16 });
  for (const e of fixture.events.slice(0, 12)) await fwd.put(encode(e.event, e.data));
  await fwd.drain(5000);
  await fwd.stop();
  await ld.close();
  assert.equal(ld.stored.length, 11);
  assert.equal(fwd.stats.refused, 1);
  assert.ok(!ld.stored.some((m) => m.data.common?.msgId === bad));
});

test('encode keeps BigInt and byte fields readable', () => {
  assert.equal(encode('member', { n: 12345678901234567890n, b: Buffer.from('hi'), u: new Uint8Array([255]) }),
    '{"event":"member","data":{"n":"12345678901234567890","b":"aGk=","u":"/w=="}}');
});

test('ingest URL', () => {
  assert.equal(ingestURL({ server: 'https://deck.example/base/', room: 'r 1', format: 'tiktok-live', source: 'tt-main' }),
    'wss://deck.example/base/api/v1/rooms/r%201/ingest?format=tiktok-live&source=tt-main');
  assert.throws(() => ingestURL({ server: 'ftp://h', room: 'r', format: 'tiktok-live' }));
});
