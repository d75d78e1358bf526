package server

import (
	"testing"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/internal/redistest"
)

// TestWSWithdrawnAndUpdatedCues: a snapshot leaves out a cue a newer tier
// withdrew and shows an edited cue with its newest text once; a live
// withdrawal reaches the host as its own message.
func TestWSWithdrawnAndUpdatedCues(t *testing.T) {
	rs := redistest.Start(t)
	in := startWSInstance(t, rs.URL(), HubConfig{Instance: "i1"}, Config{})
	rdb := in.rdb
	addRoom(t, rdb, "r1")
	addSignal(t, rdb, cue("r1", "tier-500@1#1.1"))
	addSignal(t, rdb, livedeck.Signal{Kind: livedeck.SignalWithdraw, Room: "r1", Withdraw: &livedeck.Withdraw{Key: "tier-500@1#1.1", Reason: "superseded", By: "tier-2000"}})
	addSignal(t, rdb, cue("r1", "tier-2000@1#1.1"))
	edited := cue("r1", "tier-2000@1#1.1")
	edited.Cue.Text, edited.Cue.Update = "升级满199减50", true
	editedID := addSignal(t, rdb, edited)

	host := dialWS(t, in.wsURL("rooms=r1&view=host"), nil)
	host.expect(typeHello, "")
	got := decode[snapshotData](t, host.expect(typeSnapshot, "r1").Data)
	if len(got.Cues) != 1 || got.Cues[0].Cue.Key != "tier-2000@1#1.1" || got.Cues[0].Cue.Text != "升级满199减50" || got.Cues[0].ID != editedID {
		t.Fatalf("snapshot cues %+v, want tier-2000's cue once, with its edited text", got.Cues)
	}
	id := addSignal(t, rdb, livedeck.Signal{Kind: livedeck.SignalWithdraw, Room: "r1", Withdraw: &livedeck.Withdraw{Key: "tier-2000@1#1.1", Reason: "ended"}})
	e := host.expect(livedeck.SignalWithdraw, "r1")
	if sig := decode[livedeck.Signal](t, e.Data); e.ID != id || sig.Withdraw == nil || sig.Withdraw.Key != "tier-2000@1#1.1" {
		t.Fatalf("withdraw message %+v", e)
	}
}
