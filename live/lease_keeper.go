package live

import (
	"context"
	"time"
)

// keepLease renews the room's lease on its own timer, each renewal with its
// own deadline, so that slow processing steps or a slow Redis never let the
// lease lapse while its owner lives. It cancels the runner with cause
// errLeaseLost when another instance holds the room, and returns when ctx
// ends.
func (r *runner) keepLease(ctx context.Context, lost context.CancelCauseFunc) {
	ttl := r.p.cfg.LeaseTTL
	next := time.NewTimer(ttl / 3)
	defer next.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-next.C:
		}
		start := time.Now()
		// Half the TTL: time for a slow round trip, and the lease still has
		// life left for a retry if this one fails.
		rctx, cancel := context.WithTimeout(ctx, ttl/2)
		ok, err := renew(rctx, r.p.rdb, r.keys.Lease(), r.token, ttl)
		cancel()
		if ctx.Err() != nil {
			return // stopping: a renewal cut short says nothing about the lease
		}
		r.p.m.renewals.Observe(time.Since(start).Seconds())
		switch {
		case err != nil:
			// Redis trouble: try again soon; checkpoints stay fenced by the
			// token whatever happens to the lease meanwhile.
			r.p.m.renewErrors.Inc()
			r.p.log.Warn("lease renewal failed", "room", r.room, "err", err)
			next.Reset(ttl / 20)
		case !ok:
			r.p.m.leases.WithLabelValues("lost").Inc()
			lost(errLeaseLost)
			return
		default:
			next.Reset(time.Until(start.Add(ttl / 3)))
		}
	}
}
