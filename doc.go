// Package livedeck holds the domain types every part of LiveDeck shares:
// events as ingest accepts them, rooms and products, the live snapshot the
// metrics processor publishes, the signals (cues, tiers, alerts, gifts) the
// rules engine emits, and the application error codes the HTTP layer maps to
// statuses. It imports nothing but the standard library so that every other
// package may depend on it and it on none of them.
package livedeck
