package live

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/redisx"
)

// SeriesStore reads rooms' time series from their checkpoints, so any
// instance can answer, at most one checkpoint interval behind.
type SeriesStore struct {
	RDB redis.UniversalClient
	Now func() time.Time // nil means time.Now
}

// Series returns metric's points per step ("1s" or "1m") from since (Unix
// ms) to now.
func (s *SeriesStore) Series(ctx context.Context, room, metric, step string, since int64) ([][2]int64, error) {
	f, ok := SeriesNames[metric]
	if !ok {
		return nil, livedeck.Errorf(livedeck.EINVALID, "metric", "unknown metric %q (want one of online, gmv, orders, orders_paid, comments, intent, questions, abuse, likes, follows, shares, clicks, exposures, spend, cart_adds)", metric)
	}
	var r *ring
	var key string
	switch step {
	case "1s":
		r, key = newRing(secondMs, secondSlots), redisx.Room(room).Seconds()
	case "1m":
		r, key = newRing(minuteMs, minuteSlots), redisx.Room(room).Minutes()
	default:
		return nil, livedeck.Errorf(livedeck.EINVALID, "step", "step must be 1s or 1m, got %q", step)
	}
	all, err := s.RDB.HGetAll(ctx, key).Result()
	if err != nil {
		return nil, livedeck.Errorf(livedeck.EUNAVAILABLE, "", "redis unavailable: %v", err)
	}
	newest := int64(0)
	for field, v := range all {
		i, err := strconv.Atoi(field)
		if err != nil || i < 0 || i >= len(r.slots) {
			continue
		}
		if json.Unmarshal([]byte(v), &r.slots[i]) == nil && r.slots[i].Stamp > newest {
			newest = r.slots[i].Stamp
		}
	}
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	end := now().UnixMilli()
	if newest == 0 {
		return nil, nil
	}
	pts := r.points(f, since, end)
	out := make([][2]int64, len(pts))
	for i, p := range pts {
		out[i] = p
	}
	return out, nil
}
