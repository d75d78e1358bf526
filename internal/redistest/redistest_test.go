package redistest

import (
	"context"
	"testing"

	"github.com/livedeck/livedeck/redisx"
	"github.com/redis/go-redis/v9"
)

func TestStandaloneAndCluster(t *testing.T) {
	ctx := context.Background()
	s := Start(t)
	c, err := redisx.New(ctx, s.URL(), redisx.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Set(ctx, "k", "v", 0).Err(); err != nil {
		t.Fatal(err)
	}

	cl := StartCluster(t, 3)
	cc, err := redisx.New(ctx, cl.URL(), redisx.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer cc.Close()
	k := redisx.Room("r1")
	// Two keys of one room in one MULTI must not be CROSSSLOT.
	_, err = cc.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Set(ctx, k.Meta(), "x", 0)
		p.Set(ctx, k.Tier(), "y", 0)
		return nil
	})
	if err != nil {
		t.Fatalf("room keys in one slot: %v", err)
	}
}
