#!/usr/bin/env node
// livedeck-tiktok-forwarder: subscribes to a TikTok LIVE host's events with
// the tiktok-live-connector package and forwards them to a LiveDeck room's
// ingest websocket with format=tiktok-live. See README.md.
import { parseArgs } from 'node:util';
import { TikTokLiveConnection } from 'tiktok-live-connector';
import { Forwarder, subscribe, delay } from './forwarder.js';

const env = process.env;
const { values: o } = parseArgs({
  options: {
    'unique-id': { type: 'string', default: env.TIKTOK_UNIQUE_ID },
    server: { type: 'string', default: env.LIVEDECK_SERVER ?? 'http://127.0.0.1:8080' },
    room: { type: 'string', default: env.LIVEDECK_ROOM },
    token: { type: 'string', default: env.LIVEDECK_TOKEN },
    source: { type: 'string', default: env.LIVEDECK_SOURCE ?? 'tiktok-live' },
    'sign-api-key': { type: 'string', default: env.SIGN_API_KEY },
    'report-every': { type: 'string', default: '30' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (o.help || !o['unique-id'] || !o.room) {
  console.error(`Usage: node main.js --unique-id HOST --room ROOM [--server URL] [--token T] [--source S] [--sign-api-key K]
  --unique-id     the TikTok host's username, without @ (env TIKTOK_UNIQUE_ID)
  --room          the LiveDeck room to feed; it must exist (env LIVEDECK_ROOM)
  --server        LiveDeck's base URL (env LIVEDECK_SERVER, default http://127.0.0.1:8080)
  --token         a LiveDeck ingest token (env LIVEDECK_TOKEN)
  --source        source name in LiveDeck (env LIVEDECK_SOURCE, default tiktok-live)
  --sign-api-key  Euler Stream signing key for tiktok-live-connector (env SIGN_API_KEY)
  --report-every  seconds between progress lines (default 30)`);
  process.exit(o.help ? 0 : 2);
}

const log = console;
const fwd = new Forwarder({ server: o.server, room: o.room, token: o.token, source: o.source, log }).start();
const conn = new TikTokLiveConnection(o['unique-id'], { signApiKey: o['sign-api-key'] });
subscribe(conn, fwd, log);

let stopping = false;
let attempt = 0;
// connectLoop connects to the host's live room, and again after every
// disconnect or failure (offline host, stream end) with backoff.
async function connectLoop() {
  while (!stopping) {
    try {
      const state = await conn.connect();
      attempt = 0;
      log.info(`tiktok-forwarder: connected to @${o['unique-id']}'s room ${state.roomId}`);
      await new Promise((resolve) => conn.once('disconnected', resolve));
      if (!stopping) log.warn('tiktok-forwarder: TikTok connection ended; reconnecting');
    } catch (err) {
      log.warn(`tiktok-forwarder: cannot connect to @${o['unique-id']}: ${err?.message ?? err}`);
    }
    if (!stopping) await new Promise((r) => setTimeout(r, delay(attempt++, { minMs: 2000, maxMs: 60000 })));
  }
}

const report = setInterval(() => {
  log.info(`tiktok-forwarder: ${JSON.stringify({ ...fwd.stats, pending: fwd.pending })}`);
}, Number(o['report-every']) * 1000);

async function shutdown() {
  if (stopping) process.exit(1);
  stopping = true;
  clearInterval(report);
  try { conn.disconnect(); } catch { /* not connected */ }
  try { await fwd.drain(10000); } catch (err) { log.error(`tiktok-forwarder: ${err.message}`); }
  await fwd.stop();
  process.exit(fwd.pending > 0 ? 1 : 0);
}
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
connectLoop();
