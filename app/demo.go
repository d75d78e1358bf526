package app

import (
	"context"
	"fmt"
	"time"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/ingest/sim"
	"github.com/livedeck/livedeck/rules"
)

// DemoRooms are the rooms `livedeck demo` creates.
var DemoRooms = []livedeck.Room{
	{ID: "demo-beauty", Title: "美妆专场 Beauty night", Currency: "CNY", Products: []livedeck.Product{
		{SKU: "lipstick-01", Name: "丝绒口红 Velvet lipstick", Price: 19900, Stock: 300},
		{SKU: "serum-02", Name: "精华液 Serum", Price: 39900, Stock: 120},
		{SKU: "mask-03", Name: "面膜 Sheet masks ×10", Price: 9900, Stock: 500},
	}},
	{ID: "demo-fashion", Title: "秋冬女装 Autumn fashion", Currency: "CNY", Products: []livedeck.Product{
		{SKU: "coat-01", Name: "羊毛大衣 Wool coat", Price: 89900, Stock: 40},
		{SKU: "knit-02", Name: "针织衫 Knit sweater", Price: 25900, Stock: 200},
	}},
}

// DemoOversell is when, in show time, the demo's scripted oversell scene
// plays in each simulated room: a recount leaves 2 of the first product
// just as three buyers pay for 2 each, so a newcomer sees the 超卖 alert
// within the first minute.
const DemoOversell = 20 * time.Second

// Simulate broadcasts in the demo rooms through the ingest service, as a
// platform connector would, until ctx ends. rate is events per second over
// all rooms.
func (a *App) Simulate(ctx context.Context, rate int) error {
	_, err := sim.Run(ctx, sim.Config{RoomList: DemoRooms, Rate: rate, ShowLength: 10 * time.Minute, Seed: 1,
		Duplicates: 0.01, OutOfOrder: 0.01, Oversell: DemoOversell}, &sim.ServiceSink{Service: a.ingest}, nil)
	if err != nil && ctx.Err() == nil {
		return fmt.Errorf("demo simulator: %w", err)
	}
	return nil
}

// SeedDemo creates the demo rooms through the rooms store if they do not
// exist yet, and gives each that has no rule set the built-in playbook
// (rules/templates/playbook.yaml), so tiers, cues, gifts and alerts show
// from the first minute.
func (a *App) SeedDemo(ctx context.Context) error {
	for _, r := range DemoRooms {
		if _, err := a.ingest.Rooms().Get(ctx, r.ID); err != nil {
			if _, err := a.ingest.Rooms().Create(ctx, r); err != nil && livedeck.ErrorCode(err) != livedeck.ECONFLICT {
				return fmt.Errorf("seed room %s: %w", r.ID, err)
			}
		}
		if err := a.seedPlaybook(ctx, r.ID); err != nil {
			return err
		}
	}
	return nil
}

// seedPlaybook saves the built-in playbook as a room's first rule set;
// a room that has rules keeps them.
func (a *App) seedPlaybook(ctx context.Context, room string) error {
	cur, err := a.rules.Store.Current(ctx, room)
	if err != nil {
		return fmt.Errorf("seed rules of %s: %w", room, err)
	}
	if cur.Version > 0 {
		return nil
	}
	_, _, err = a.rules.Save(ctx, room, rules.Playbook(), rules.Change{Author: "demo", Note: "built-in playbook", Base: new(int64)})
	if err != nil && livedeck.ErrorCode(err) != livedeck.ECONFLICT {
		return fmt.Errorf("seed rules of %s: %w", room, err)
	}
	return nil
}
