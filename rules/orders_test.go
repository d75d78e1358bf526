package rules

import (
	"context"
	"fmt"
	"maps"
	"testing"

	"github.com/livedeck/livedeck/internal/redistest"
)

// TestWriteOrderTiers: every order gets the tier given unless it already
// has one, whatever the number of orders (more than one script call).
func TestWriteOrderTiers(t *testing.T) {
	rdb := redistest.Start(t).Client(t)
	ctx := context.Background()
	many := map[string]string{}
	for i := range 2*tiersPerCall + 7 {
		many[fmt.Sprintf("o%d", i)] = "t500"
	}
	cases := []struct {
		name      string
		have, set map[string]string
		want      map[string]string
	}{
		{"new", nil, map[string]string{"a": "t500", "b": ""}, map[string]string{"a": "t500", "b": ""}},
		{"kept", map[string]string{"a": "", "b": "t500"}, map[string]string{"a": "t2000", "b": "t2000", "c": "t2000"},
			map[string]string{"a": "", "b": "t500", "c": "t2000"}},
		{"many", map[string]string{"o3": "t0"}, many, func() map[string]string {
			m := maps.Clone(many)
			m["o3"] = "t0"
			return m
		}()},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			key := "ordertier:" + c.name
			for id, tier := range c.have {
				rdb.HSet(ctx, key, id, tier)
			}
			if err := writeOrderTiers(ctx, rdb, key, c.set); err != nil {
				t.Fatal(err)
			}
			got, err := rdb.HGetAll(ctx, key).Result()
			if err != nil {
				t.Fatal(err)
			}
			if !maps.Equal(got, c.want) {
				t.Errorf("got %d orders, want %d; differing: %v", len(got), len(c.want), tierDiff(got, c.want))
			}
		})
	}
}

func tierDiff(got, want map[string]string) []string {
	var out []string
	for k, v := range want {
		if got[k] != v {
			out = append(out, fmt.Sprintf("%s: %q want %q", k, got[k], v))
		}
	}
	return out
}
