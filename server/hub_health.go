package server

import (
	"context"
	"encoding/json"
	"time"
)

// Data health pushed to the consoles: when this instance cannot reach
// Redis, or a room's numbers stop moving on, the room's operator and
// producer views are told within about a probe interval, with since when;
// an "ok" message clears it. Hosts (and the OBS overlay) never get it: it
// is not for the camera.
const typeHealth = "health"

// Health reasons.
const (
	healthRedis      = "redis"      // this instance cannot reach its data
	healthProcessing = "processing" // the room's numbers have not been republished
)

type healthData struct {
	Status string `json:"status"`           // "ok" or "delayed"
	Reason string `json:"reason,omitempty"` // healthRedis or healthProcessing
	Since  int64  `json:"since,omitempty"`  // Unix ms since when
}

// probeRedis pings Redis every HealthInterval, each ping with that as its
// deadline, and hands the hub each result.
func (h *Hub) probeRedis(ctx context.Context) {
	t := time.NewTicker(h.cfg.HealthInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		pctx, cancel := context.WithTimeout(ctx, h.cfg.HealthInterval)
		err := h.rdb.Ping(pctx).Err()
		cancel()
		if ctx.Err() != nil {
			return
		}
		if h.cfg.RedisProbed != nil {
			h.cfg.RedisProbed(err == nil)
		}
		select {
		case h.probes <- err == nil:
		case <-ctx.Done():
			return
		}
	}
}

// probed records a Redis probe and updates every room's health.
func (s *hubState) probed(ok bool, now time.Time) {
	switch {
	case !ok && s.redisDownSince.IsZero():
		s.redisDownSince = now
	case ok && !s.redisDownSince.IsZero():
		s.redisDownSince = time.Time{}
		for _, r := range s.rooms { // numbers resume now: no lag counted from the outage
			r.lastLive = now
		}
	}
	for id, r := range s.rooms {
		if hd := s.healthOf(r, now); hd != r.health {
			r.health = hd
			s.fanout(r, healthMsg(id, hd))
		}
	}
}

// healthOf is what a room's health is now.
func (s *hubState) healthOf(r *hubRoom, now time.Time) healthData {
	switch {
	case !s.redisDownSince.IsZero():
		return healthData{Status: "delayed", Reason: healthRedis, Since: s.redisDownSince.UnixMilli()}
	case s.h.cfg.ProcessingLag > 0 && !r.resting && now.Sub(r.lastLive) > s.h.cfg.ProcessingLag:
		return healthData{Status: "delayed", Reason: healthProcessing, Since: r.lastLive.UnixMilli()}
	}
	return healthData{Status: "ok"}
}

// restingMark is in the metrics of a room at rest (livedeck.Snapshot.Resting):
// closed past its grace period, it is processed by no instance on purpose.
var restingMark = []byte(`"resting":true`)

func healthMsg(room string, hd healthData) *outMsg {
	b, _ := json.Marshal(hd)
	return newOutMsg(typeHealth, room, "", b, time.Time{})
}

// forCamera reports whether a message type stays off the host view.
func offCamera(typ string) bool { return typ == typeComment || typ == typeHealth }
