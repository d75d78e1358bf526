// Package live folds each room's event stream into its live numbers: viewers,
// interaction, commerce, per-SKU figures and time series.
//
// One instance at a time owns a room (a Redis lease). Its runner reads the
// room's stream from its last folded id, folds events into an in-memory
// State, publishes the snapshot after each batch, and checkpoints the state
// together with the last folded stream id in one fenced Lua script. After a
// crash the next owner loads the checkpoint and re-reads from that id, so
// every event's effect counts exactly once.
package live
