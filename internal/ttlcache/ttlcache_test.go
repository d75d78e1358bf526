package ttlcache

import (
	"testing"
	"time"
)

// TestTTLCache: entries live for the TTL; a drop between a lookup's get and
// its put keeps the (possibly stale) value out; a full cache stores nothing
// new; expired entries are swept.
func TestTTLCache(t *testing.T) {
	t0 := time.Unix(1_700_000_000, 0)
	for _, tc := range []struct {
		name string
		ttl  time.Duration
		max  int
		run  func(c *Cache[string, int]) // then "k" is looked up at t0+at
		at   time.Duration
		want bool // "k" found
		size int  // entries left
	}{
		{"kept within the TTL", time.Second, 4, func(c *Cache[string, int]) {
			_, gen, _ := c.Get("k", t0)
			c.Put("k", 1, gen, t0)
		}, time.Second - 1, true, 1},
		{"gone at the TTL", time.Second, 4, func(c *Cache[string, int]) {
			_, gen, _ := c.Get("k", t0)
			c.Put("k", 1, gen, t0)
		}, time.Second, false, 1},
		{"a drop during the lookup keeps its answer out", time.Second, 4, func(c *Cache[string, int]) {
			_, gen, _ := c.Get("k", t0)
			c.Drop("k") // a revocation while Redis was read
			c.Put("k", 1, gen, t0)
		}, 0, false, 0},
		{"dropIf", time.Second, 4, func(c *Cache[string, int]) {
			for _, k := range []string{"k", "j", "i"} {
				_, gen, _ := c.Get(k, t0)
				c.Put(k, len(k), gen, t0)
			}
			c.DropIf(func(k string, _ int) bool { return k != "j" })
		}, 0, false, 1},
		{"full", time.Second, 2, func(c *Cache[string, int]) {
			for _, k := range []string{"i", "j", "k"} {
				_, gen, _ := c.Get(k, t0)
				c.Put(k, 1, gen, t0)
			}
		}, 0, false, 2},
		{"expired entries swept", time.Second, 2, func(c *Cache[string, int]) {
			for i, k := range []string{"i", "j", "k"} {
				at := t0.Add(time.Duration(i) * time.Second)
				_, gen, _ := c.Get(k, at)
				c.Put(k, 1, gen, at)
			}
		}, 2 * time.Second, true, 1},
		{"no cache", -1, 2, func(c *Cache[string, int]) {
			_, gen, _ := c.Get("k", t0)
			c.Put("k", 1, gen, t0)
		}, 0, false, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := New[string, int](tc.ttl, tc.max)
			tc.run(c)
			if _, _, ok := c.Get("k", t0.Add(tc.at)); ok != tc.want || len(c.m) != tc.size {
				t.Fatalf("found %v with %d entries, want %v with %d", ok, len(c.m), tc.want, tc.size)
			}
		})
	}
}
