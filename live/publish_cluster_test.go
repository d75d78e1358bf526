package live

import (
	"context"
	"strings"
	"testing"

	"github.com/livedeck/livedeck/internal/redistest"
	"github.com/livedeck/livedeck/redisx"
)

// TestPublishFromTheRoomsNode: on Redis Cluster every snapshot of a room
// is published through the node that holds the room's slot, so that they
// reach subscribers on any node in the order they were published (two
// publishes entering the cluster at different nodes may cross on the
// cluster bus: consoles saw a room's numbers go back).
func TestPublishFromTheRoomsNode(t *testing.T) {
	c := redistest.StartCluster(t, 3)
	rdb := c.Client(t)
	newRoom(t, rdb, "pub")
	startProcessor(t, c.URL(), "i1", fixedClock)
	evs := script()
	for i := range evs { // one by one: a snapshot published per event
		appendEvents(t, rdb, "pub", evs[i:i+1])
		waitSnapshot(t, rdb, "pub", uint64(i+1))
	}
	home := c.NodeFor(t, redisx.Room("pub").Live())
	for _, n := range c.Nodes {
		stats, err := n.Client(t).Info(context.Background(), "commandstats").Result()
		if err != nil {
			t.Fatal(err)
		}
		published := strings.Contains(stats, "cmdstat_publish:")
		if n == home && !published {
			t.Errorf("node %s holds the room's slot but published nothing", n.Addr())
		}
		if n != home && published {
			t.Errorf("node %s does not hold the room's slot but published snapshots: %s", n.Addr(), line(stats, "cmdstat_publish:"))
		}
	}
}

func line(text, prefix string) string {
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(l, prefix) {
			return strings.TrimSpace(l)
		}
	}
	return ""
}
