package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/ingest/sim"
	"github.com/livedeck/livedeck/live"
)

// TestSimulatedShowIsPlausible records a 30-minute show with `livedeck sim
// --record` (100 events/s, the oversell scene at minute 5), folds it with
// the live metrics fold as a server would, and checks at every second what
// a producer would find impossible or implausible: more viewers online
// than have ever visited, conversion above 10 % (or below 1 % after the
// two-minute warm-up), more orders than clicks on a product, stock sold past zero
// outside the scripted scene. It also wants the show's arc (arrival, peak,
// drop-off), stock that runs low and is restocked, the scene's oversell,
// and no stalled-looking source for LiveDeck's own stock writes.
func TestSimulatedShowIsPlausible(t *testing.T) {
	path := filepath.Join(t.TempDir(), "show.jsonl")
	const scene = 5 * time.Minute
	if err := simRecord(sim.Config{Duration: 30 * time.Minute, Rate: 100, Seed: 1, RoomPrefix: "sim", Oversell: scene}, path); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(filepath.Dir(path), "show.room.json"))
	if err != nil {
		t.Fatal(err)
	}
	var room livedeck.Room
	if err := json.Unmarshal(b, &room); err != nil {
		t.Fatal(err)
	}
	sceneSKU := room.Products[0].SKU
	st := live.NewState(room.ID, room.Products)
	users := map[string]bool{}
	var (
		start, sceneEnd        int64
		seconds, peakAt        int
		peak, lastOnline       int64
		onlineAt               []int64
		lowSeen, restockedSeen = map[string]bool{}, map[string]bool{}
		maxOversold            int64
		bad                    int
	)
	fail := func(format string, args ...any) {
		if bad++; bad <= 10 {
			t.Errorf(format, args...)
		}
	}
	_, err = playback(context.Background(), path, func(ev *livedeck.Event, id string) {
		if start == 0 {
			start = ev.TS
		}
		if ev.UserID != "" {
			users[ev.UserID] = true
		}
		if ev.Type == livedeck.EventStock && ev.SKU == sceneSKU && ev.TS-start > scene.Milliseconds() && *ev.Stock > 2 && sceneEnd == 0 {
			sceneEnd = ev.TS // the restock after the scene
		}
		st.Fold(ev, id, nil)
	}, func(now int64) {
		s := st.Snapshot(now)
		sec := int((now - start) / 1000)
		seconds++
		onlineAt = append(onlineAt, s.Online)
		if s.Online > peak {
			peak, peakAt = s.Online, sec
		}
		lastOnline = s.Online
		if sec%300 == 0 {
			t.Logf("%4d s: online %d UV %d buyers %d conversion %.2f%%", sec, s.Online, s.UV, s.Buyers, s.Conversion*100)
		}
		if s.Online > s.UV || s.Online > int64(len(users)) {
			fail("second %d: online %d above UV %d (%d distinct visitors)", sec, s.Online, s.UV, len(users))
		}
		// The first two minutes are the warm-up: viewers arrive before anyone
		// has had time to pay.
		if s.Conversion > 0.10 || (sec >= 120 && s.Conversion < 0.01) {
			fail("second %d: conversion %.2f%% (UV %d, buyers %d), want 1–10 %%", sec, s.Conversion*100, s.UV, s.Buyers)
		}
		for sku, k := range s.SKUs {
			if k.Orders > k.Clicks {
				fail("second %d: %s has %d orders from %d clicks (click→order above 100 %%)", sec, sku, k.Orders, k.Clicks)
			}
			inScene := sku == sceneSKU && now-start >= scene.Milliseconds() && (sceneEnd == 0 || now <= sceneEnd)
			if k.Oversold > 0 && !inScene {
				fail("second %d: %s oversold by %d outside the scene", sec, sku, k.Oversold)
			}
			if inScene {
				maxOversold = max(maxOversold, k.Oversold)
			}
			if k.Stock <= 3 && k.UnitsSold > 0 {
				lowSeen[sku] = true
			} else if lowSeen[sku] && k.Stock > 3 {
				restockedSeen[sku] = true
			}
		}
		if _, ok := s.Sources["livedeck"]; ok {
			fail("second %d: LiveDeck's own stock writes listed as an ingest source", sec)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if seconds < 1790 {
		t.Fatalf("%d seconds evaluated, want the whole 30 minutes", seconds)
	}
	// The arc: a warm-up, a peak well inside the show, a drop-off.
	if first := onlineAt[60]; first >= peak/2 || peakAt < 120 || peakAt > seconds-120 || lastOnline > peak*7/10 {
		t.Errorf("arc: online %d at 1 min, peak %d at %d s, %d at the end; want a rise, a peak inside the show and a drop-off", first, peak, peakAt, lastOnline)
	}
	delete(restockedSeen, sceneSKU)
	if len(restockedSeen) == 0 {
		t.Errorf("no product but the scene's ran low (≤3) and was restocked (low: %v)", lowSeen)
	}
	if maxOversold < 3 || sceneEnd == 0 {
		t.Errorf("the oversell scene sold %d units past stock (restocked at %d); want at least 3, then a restock", maxOversold, sceneEnd)
	}
	t.Logf("%d s, peak online %d at %d s, %d visitors, products low then restocked: %v, scene oversold %d", seconds, peak, peakAt, len(users), restockedSeen, maxOversold)
}
