package ingest

import (
	"fmt"
	"time"
)

// Config tunes the ingest service. Zero values take the defaults noted.
type Config struct {
	MaxBatchEvents int   // zero means 10,000 events per batch (more is 413)
	MaxBodyBytes   int64 // zero means 8 MiB per request body or websocket message (more is 413)

	MaxInFlightBatches int // zero means 64 batches being decoded or written at once (more is 429)
	MaxInFlightEvents  int // zero means 200,000 events being written at once (more is 429); at least MaxBatchEvents

	ChunkSize    int   // zero means 500 events per Lua script call; a batch's chunks go in one pipeline
	StreamMaxLen int64 // zero means 1,000,000: approximate length (~) of each room's stream, in events
	// PackEvents is the most events one stream entry holds; zero means 100.
	// 1 writes version 1 entries, one event each, which LiveDeck versions
	// before packed entries can read: use it while such instances share
	// the Redis (see livedeck.DecodeEntry).
	PackEvents   int
	DedupeWindow time.Duration // zero means 48 h: how long an event id (or order id + status) is remembered; at least 24 h
	WriteTimeout time.Duration // zero means 5 s: longest a batch may wait for Redis before 503

	// ArchiveRetention is how long an archived room keeps its event stream,
	// dedupe sets and dead letters (its review and numbers stay until the
	// room is deleted); zero means 30 days (720h).
	ArchiveRetention time.Duration

	RetryAfter time.Duration // zero means 1 s: the Retry-After sent with 429
}

func (c *Config) setDefaults() {
	if c.MaxBatchEvents == 0 {
		c.MaxBatchEvents = 10_000
	}
	if c.MaxBodyBytes == 0 {
		c.MaxBodyBytes = 8 << 20
	}
	if c.MaxInFlightBatches == 0 {
		c.MaxInFlightBatches = 64
	}
	if c.MaxInFlightEvents == 0 {
		c.MaxInFlightEvents = 200_000
	}
	if c.ChunkSize == 0 {
		c.ChunkSize = 500
	}
	if c.PackEvents == 0 {
		c.PackEvents = 100
	}
	if c.StreamMaxLen == 0 {
		c.StreamMaxLen = 1_000_000
	}
	if c.DedupeWindow == 0 {
		c.DedupeWindow = 48 * time.Hour
	}
	if c.WriteTimeout == 0 {
		c.WriteTimeout = 5 * time.Second
	}
	if c.RetryAfter == 0 {
		c.RetryAfter = time.Second
	}
	if c.ArchiveRetention == 0 {
		c.ArchiveRetention = 30 * 24 * time.Hour
	}
}

// Validate reports the first configuration error. It checks the values as
// given; zero values are valid and mean the defaults.
func (c Config) Validate() error {
	d := c
	d.setDefaults()
	switch {
	case d.MaxBatchEvents < 1:
		return fmt.Errorf("ingest: max batch events %d must be positive", c.MaxBatchEvents)
	case d.MaxBodyBytes < 1024:
		return fmt.Errorf("ingest: max body bytes %d below 1 KiB", c.MaxBodyBytes)
	case d.MaxInFlightBatches < 1:
		return fmt.Errorf("ingest: max in-flight batches %d must be positive", c.MaxInFlightBatches)
	case d.MaxInFlightEvents < d.MaxBatchEvents:
		return fmt.Errorf("ingest: max in-flight events %d below max batch events %d: a full batch could never run", d.MaxInFlightEvents, d.MaxBatchEvents)
	case d.ChunkSize < 1 || d.ChunkSize > 5000:
		return fmt.Errorf("ingest: chunk size %d outside 1..5000", c.ChunkSize)
	case d.PackEvents < 1 || d.PackEvents > 1000:
		return fmt.Errorf("ingest: events per stream entry %d outside 1..1000", c.PackEvents)
	case d.StreamMaxLen < 1000:
		return fmt.Errorf("ingest: stream max length %d below 1000", c.StreamMaxLen)
	case d.DedupeWindow < 24*time.Hour:
		return fmt.Errorf("ingest: dedupe window %s below 24h: retried batches could count twice", c.DedupeWindow)
	case d.WriteTimeout < 0 || d.RetryAfter < 0:
		return fmt.Errorf("ingest: negative timeout")
	case d.ArchiveRetention < time.Second:
		return fmt.Errorf("ingest: archive retention %s below 1s", c.ArchiveRetention)
	}
	return nil
}
