package live

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/livedeck/livedeck"
)

// TestSegmentAheadSameState folds reads with and without the comments'
// words segmented ahead: the states, snapshots and folded words are the
// same, whichever goroutine got to a comment first.
func TestSegmentAheadSameState(t *testing.T) {
	text, err := LoadText("")
	if err != nil {
		t.Fatal(err)
	}
	text.Warm()
	if err := text.Ready(t.Context()); err != nil {
		t.Fatal(err)
	}
	sentences := []string{"这件大衣有没有黑色的", "主播今天的口红色号是多少", "想要！多少钱 how much?", "敏感肌能用吗 有没有试用装", "上次买的已经收到了 质量很好 回购", "is it waterproof? 下雨天能穿吗"}
	for _, n := range []int{10, 200, 1000, 5000} { // below and above minAhead comments
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			evs := make([]livedeck.Event, n)
			ids := make([]string, n)
			for i := range evs {
				evs[i] = livedeck.Event{ID: fmt.Sprint("e", i), TS: base + int64(i)*10, Type: livedeck.EventLike, Count: 1, UserID: "u1"}
				if i%3 == 0 {
					evs[i].Type, evs[i].Text = livedeck.EventComment, fmt.Sprintf("%s 第%d次", sentences[i%len(sentences)], i)
				}
				ids[i] = fmt.Sprintf("%d-0", i+1)
			}
			plain, ahead := NewState("r", nil), NewState("r", nil)
			var plainWords, aheadWords [][]string
			for i := range evs {
				plainWords = append(plainWords, plain.Fold(&evs[i], ids[i], text).Words())
			}
			comments := 0
			for i := range evs {
				if evs[i].Type == livedeck.EventComment {
					comments++
				}
			}
			a := segmentAhead(text, evs, comments)
			if (a != nil) != (n/3 >= minAhead) {
				t.Fatalf("%d comments: segmenting ahead %v", n/3, a != nil)
			}
			for i := range evs {
				aheadWords = append(aheadWords, ahead.fold(&evs[i], ids[i], text, a.words(i)).Words())
			}
			a.stop()
			if !reflect.DeepEqual(plainWords, aheadWords) {
				t.Fatal("folded words differ")
			}
			if p, q := plain.Snapshot(base+int64(n)*10), ahead.Snapshot(base+int64(n)*10); !reflect.DeepEqual(p, q) {
				t.Fatalf("snapshots differ:\n%+v\n%+v", p, q)
			}
			if !reflect.DeepEqual(plain.c.KeywordMins, ahead.c.KeywordMins) {
				t.Fatal("keyword counts differ")
			}
			if a == nil {
				return
			}
			// Once the goroutine is done, every later comment's words come
			// from it, as segmented on the runner.
			done := segmentAhead(text, evs, comments)
			done.group.Wait()
			from := NewState("r", nil)
			for i := range evs {
				w := done.words(i)
				if evs[i].Type == livedeck.EventComment && i >= done.from && (w == nil || !reflect.DeepEqual(*w, plainWords[i])) {
					t.Fatalf("event %d: words ahead %v, want %v", i, w, plainWords[i])
				}
				from.fold(&evs[i], ids[i], text, w)
			}
			done.stop()
			if p, q := plain.Snapshot(base+int64(n)*10), from.Snapshot(base+int64(n)*10); !reflect.DeepEqual(p, q) {
				t.Fatal("snapshots differ with every later comment segmented ahead")
			}
		})
	}
}
