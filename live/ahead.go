package live

import (
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/livedeck/livedeck"
)

// minAhead is the fewest comments in one read worth a second goroutine.
const minAhead = 64

// wordsAhead segments the comments in the second half of a read on another
// goroutine while the runner folds the first half, so a busy room's
// processor is not held to one core by segmentation, its largest cost.
// Folding stays in stream order on the runner: it takes a comment's words
// from here when they are ready and segments them itself when not, so the
// result never depends on timing.
type wordsAhead struct {
	from  int                        // first event index handed to the goroutine
	done  []atomic.Pointer[[]string] // per event from from on; nil until segmented
	quit  atomic.Bool
	group sync.WaitGroup
}

// segmentAhead starts segmenting the later comments of evs, of which
// comments are comments, or returns nil when that does not pay: few
// comments, one core, or no dictionary yet (then Fold notes comments to
// count late, which must stay on the runner).
func segmentAhead(t *Text, evs []livedeck.Event, comments int) *wordsAhead {
	if t == nil || comments < minAhead || !t.Segmenting() || runtime.GOMAXPROCS(0) < 2 {
		return nil
	}
	a := &wordsAhead{from: len(evs) / 2}
	a.done = make([]atomic.Pointer[[]string], len(evs)-a.from)
	a.group.Go(func() {
		for i := a.from; i < len(evs) && !a.quit.Load(); i++ {
			if ev := &evs[i]; ev.Type == livedeck.EventComment {
				w := t.Words(ev.Text)
				a.done[i-a.from].Store(&w)
			}
		}
	})
	return a
}

// words is event i's words if the goroutine has segmented it, else nil.
func (a *wordsAhead) words(i int) *[]string {
	if a == nil || i < a.from {
		return nil
	}
	return a.done[i-a.from].Load()
}

// stop ends the goroutine and waits for it: the events it reads go back
// to a pool when the fold returns.
func (a *wordsAhead) stop() {
	if a == nil {
		return
	}
	a.quit.Store(true)
	a.group.Wait()
}
