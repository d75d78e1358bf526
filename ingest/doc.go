// Package ingest is where a live room's raw activity enters LiveDeck: it
// decodes batches of events (a JSON array or NDJSON), validates each event
// against the public contract (docs/events.md), normalises it to a
// livedeck.Event and appends the new ones to the room's Redis stream, where
// the live metrics processor reads them.
//
// Every write is idempotent: a Lua script per chunk looks the events' dedupe
// keys up in the room's per-day dedupe sets (dedupe.go), appends only the new
// events and records them, so a retried batch never counts twice, and a
// batch is acknowledged only after Redis has it. Each call leaves a short-lived
// receipt of its reply, so a call the Redis client retries after a lost reply
// reports the same counts. All keys of a room share one hash tag, so the same
// script runs on Redis Cluster.
//
// Rooms (the broadcast and its product line-up) are kept here too, because a
// stock change must enter the same stream as the orders it races with.
package ingest
