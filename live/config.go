package live

import (
	"errors"
	"time"
)

// Config tunes the processor.
type Config struct {
	Instance string // this instance's name: lease owner and consumer name; required

	LeaseTTL        time.Duration // zero means 3 s: a dead owner's rooms move within about TTL + ScanInterval
	ScanInterval    time.Duration // zero means 1 s: how often rooms are discovered and leases taken
	Checkpoint      time.Duration // zero means 250 ms: how often state is persisted while events flow
	Block           time.Duration // zero means 100 ms: longest blocking stream read, also the idle tick
	PublishInterval time.Duration // zero means 10 ms: least time between two published snapshots of a room (consoles coalesce further)
	BatchSize       int64         // zero means 2000 events per read
	MaxRooms        int           // zero means 512 rooms per instance (one blocking reader each); more wait (metric livedeck_live_rooms_waiting)
	ClosedGrace     time.Duration // zero means 10 min: how long a closed room is still processed; later events wake it again
	Classifier      string        // comment classifier file; zero means the built-in lists
	StaleAfter      time.Duration // zero means 30 s: a source silent this long, and the numbers it feeds, are marked stale

	// Now is the clock snapshots compute per-minute rates against; nil
	// means time.Now. Leases and timers always use the real clock.
	Now func() time.Time
}

func (c *Config) setDefaults() {
	d := func(p *time.Duration, v time.Duration) {
		if *p == 0 {
			*p = v
		}
	}
	d(&c.LeaseTTL, 3*time.Second)
	d(&c.ScanInterval, time.Second)
	d(&c.Checkpoint, 250*time.Millisecond)
	d(&c.Block, 100*time.Millisecond)
	d(&c.PublishInterval, 10*time.Millisecond)
	d(&c.StaleAfter, 30*time.Second)
	d(&c.ClosedGrace, 10*time.Minute)
	if c.BatchSize == 0 {
		c.BatchSize = 2000
	}
	if c.MaxRooms == 0 {
		c.MaxRooms = 512
	}
	if c.Now == nil {
		c.Now = time.Now
	}
}

// Validate reports the first configuration error.
func (c *Config) Validate() error {
	if c.Instance == "" {
		return errors.New("live: instance name required")
	}
	if c.StaleAfter < 0 {
		return errors.New("live: stale-after must not be negative")
	}
	if c.MaxRooms < 0 {
		return errors.New("live: max rooms must not be negative")
	}
	if c.ClosedGrace < 0 {
		return errors.New("live: closed-room grace must not be negative")
	}
	if c.LeaseTTL != 0 && c.LeaseTTL < time.Second {
		return errors.New("live: lease TTL below 1s would flap")
	}
	return nil
}
