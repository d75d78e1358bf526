package redisx

import (
	"context"
	"fmt"

	"github.com/redis/go-redis/v9"
)

// ScanKeys returns every key matching pattern, scanning each master of a
// Redis Cluster (a room's keys share one slot, so one master holds them)
// or the one server.
func ScanKeys(ctx context.Context, rdb redis.UniversalClient, pattern string) ([]string, error) {
	var keys []string
	scan := func(ctx context.Context, c *redis.Client) ([]string, error) {
		var out []string
		iter := c.Scan(ctx, 0, pattern, 1000).Iterator()
		for iter.Next(ctx) {
			out = append(out, iter.Val())
		}
		return out, iter.Err()
	}
	switch c := rdb.(type) {
	case *redis.ClusterClient:
		var found [][]string
		ch := make(chan []string, 64)
		done := make(chan struct{})
		go func() {
			for ks := range ch {
				found = append(found, ks)
			}
			close(done)
		}()
		err := c.ForEachMaster(ctx, func(ctx context.Context, m *redis.Client) error {
			ks, err := scan(ctx, m)
			if err == nil {
				ch <- ks
			}
			return err
		})
		close(ch)
		<-done
		if err != nil {
			return nil, fmt.Errorf("scan %s: %w", pattern, err)
		}
		for _, ks := range found {
			keys = append(keys, ks...)
		}
	case *redis.Client:
		ks, err := scan(ctx, c)
		if err != nil {
			return nil, fmt.Errorf("scan %s: %w", pattern, err)
		}
		keys = ks
	default:
		return nil, fmt.Errorf("scan %s: unsupported client %T", pattern, rdb)
	}
	return keys, nil
}
