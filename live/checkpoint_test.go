package live

import (
	"context"
	"fmt"
	"testing"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/internal/redistest"
	"github.com/livedeck/livedeck/redisx"
)

// TestCheckpointHashes checks that a checkpoint writes every changed order
// and viewer, and deletes every viewer who left, across the chunks the
// script splits its hash writes into.
func TestCheckpointHashes(t *testing.T) {
	srv := redistest.Start(t)
	rdb := srv.Client(t)
	ctx := context.Background()
	for _, tc := range []struct {
		name                 string
		orders, enter, leave int // leave: of the viewers entered in the first checkpoint
	}{
		{"empty", 0, 0, 0},
		{"one each", 1, 1, 1},
		{"a chunk", 500, 500, 500},
		{"past a chunk", 501, 501, 501},
		{"several chunks", 1201, 1100, 1001},
	} {
		t.Run(tc.name, func(t *testing.T) {
			room := "ck-" + fmt.Sprint(tc.orders)
			k := redisx.Room(room)
			if err := rdb.Set(ctx, k.Lease(), "me", 0).Err(); err != nil {
				t.Fatal(err)
			}
			s := NewState(room, nil)
			seq := 0
			fold := func(ev livedeck.Event) {
				seq++
				ev.TS = base + int64(seq)
				s.Fold(&ev, fmt.Sprintf("%d-0", seq), nil)
			}
			fold(livedeck.Event{ID: "first", Type: livedeck.EventLike}) // so a room with nothing else still checkpoints
			for i := range tc.orders {
				fold(livedeck.Event{ID: fmt.Sprint("o", i), Type: livedeck.EventOrder, OrderID: fmt.Sprint("o", i),
					Status: livedeck.OrderPaid, SKU: "A", Qty: 1, Amount: 100})
			}
			for i := range tc.enter {
				fold(livedeck.Event{ID: fmt.Sprint("e", i), Type: livedeck.EventEnter, UserID: fmt.Sprint("u", i)})
			}
			if err := s.checkpoint(ctx, rdb, "me"); err != nil {
				t.Fatal(err)
			}
			if n := rdb.HLen(ctx, k.Orders()).Val(); n != int64(tc.orders) {
				t.Errorf("orders stored = %d, want %d", n, tc.orders)
			}
			if tc.orders > 0 {
				fresh := NewState(room, nil)
				last := fmt.Sprint("o", tc.orders-1)
				if err := fresh.load(ctx, rdb, []string{last}, nil, nil); err != nil {
					t.Fatal(err)
				}
				want := order{Status: livedeck.OrderPaid, SKU: "A", Qty: 1, Amount: 100, Paid: true}
				if o := fresh.orders[last]; o == nil || *o != want {
					t.Errorf("order %s restored as %+v, want %+v", last, o, want)
				}
			}
			if n := rdb.HLen(ctx, k.Present()).Val(); n != int64(tc.enter) {
				t.Errorf("viewers present after entering = %d, want %d", n, tc.enter)
			}
			users := make([]string, tc.leave)
			for i := range users {
				users[i] = fmt.Sprint("u", i)
			}
			if err := s.load(ctx, rdb, nil, users, nil); err != nil {
				t.Fatal(err)
			}
			for _, u := range users {
				fold(livedeck.Event{ID: "l" + u, Type: livedeck.EventLeave, UserID: u})
			}
			fold(livedeck.Event{ID: "late", Type: livedeck.EventEnter, UserID: "late"})
			if err := s.checkpoint(ctx, rdb, "me"); err != nil {
				t.Fatal(err)
			}
			if n := rdb.HLen(ctx, k.Present()).Val(); n != int64(tc.enter-tc.leave+1) {
				t.Errorf("viewers present after leaving = %d, want %d", n, tc.enter-tc.leave+1)
			}
			if tc.leave > 0 && rdb.HExists(ctx, k.Present(), "u0").Val() {
				t.Error("a viewer who left is still present")
			}
			got, err := loadState(ctx, rdb, room, nil)
			if err != nil {
				t.Fatal(err)
			}
			if got.c.Paid != int64(tc.orders) || got.c.Visits != int64(tc.leave) {
				t.Errorf("restored paid %d visits %d, want %d and %d", got.c.Paid, got.c.Visits, tc.orders, tc.leave)
			}
		})
	}
}
