package ingest

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"github.com/livedeck/livedeck"
)

// FuzzRoomPatch decodes a room and a patch as the room routes do and
// applies the patch: a refused room or patch is an invalid error naming
// its field; the stored room is never changed by a patch (refused or
// not); a patched room is valid, round-trips through JSON, and every stock
// level that changed or was set is reported as a stock change.
// Seeds: testdata/fuzz/FuzzRoomPatch.
func FuzzRoomPatch(f *testing.F) {
	f.Fuzz(func(t *testing.T, roomJSON, patchJSON []byte) {
		var room livedeck.Room
		if json.Unmarshal(roomJSON, &room) != nil {
			return
		}
		if err := validateRoom(&room); err != nil {
			wantFieldErr(t, err)
			return
		}
		var p RoomPatch
		if json.Unmarshal(patchJSON, &p) != nil {
			return
		}
		kept, _ := json.Marshal(room)
		got, changes, err := applyPatch(room, p)
		if now, _ := json.Marshal(room); string(now) != string(kept) {
			t.Fatalf("the stored room changed under the patch:\n%s\n%s", kept, now)
		}
		if err != nil {
			wantFieldErr(t, err)
			return
		}
		if err := validateRoom(&got); err != nil {
			t.Fatalf("patched room invalid: %v", err)
		}
		b, _ := json.Marshal(got)
		var back livedeck.Room
		if err := json.Unmarshal(b, &back); err != nil || !reflect.DeepEqual(normRoom(back), normRoom(got)) {
			t.Fatalf("patched room %s reads back as %+v (%v)", b, back, err)
		}
		reported := map[string]int64{}
		for _, c := range changes {
			reported[c.sku] = c.stock
		}
		old := map[string]int64{}
		for _, pr := range room.Products {
			old[pr.SKU] = pr.Stock
		}
		for _, pr := range got.Products {
			was, had := old[pr.SKU]
			_, set := p.Stock[pr.SKU]
			st, ok := reported[pr.SKU]
			if (set || !had || was != pr.Stock) && (!ok || st != pr.Stock) {
				t.Fatalf("sku %s: stock %d → %d not reported (%v)", pr.SKU, was, pr.Stock, changes)
			}
		}
		if len(reported) != len(changes) {
			t.Fatalf("a sku reported twice: %v", changes)
		}
	})
}

// normRoom makes an empty line-up and a missing one compare equal.
func normRoom(r livedeck.Room) livedeck.Room {
	if len(r.Products) == 0 {
		r.Products = nil
	}
	return r
}

func wantFieldErr(t *testing.T, err error) {
	t.Helper()
	var le *livedeck.Error
	if !errors.As(err, &le) || le.Code != livedeck.EINVALID || le.Field == "" {
		t.Fatalf("error %v is not an invalid error naming a field", err)
	}
}
