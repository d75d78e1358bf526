package live

// Series fields. Each bucket holds one int64 per field.
const (
	fOnline    = iota // last online count in the bucket plus one (0 = none seen)
	fGMV              // paid minus refunded, minor units
	fPaid             // orders paid
	fOrders           // orders created
	fComments         //
	fIntent           //
	fQuestions        //
	fAbuse            //
	fLikes            //
	fFollows          //
	fShares           //
	fClicks           //
	fExposures        //
	fSpend            // change of reported ad spend, minor units (a correction may be negative)
	fCarts            // cart adds
	nFields
)

// SeriesNames maps the public metric names of the series API to fields.
var SeriesNames = map[string]int{
	"online": fOnline, "gmv": fGMV, "orders_paid": fPaid, "orders": fOrders,
	"comments": fComments, "intent": fIntent, "questions": fQuestions, "abuse": fAbuse,
	"likes": fLikes, "follows": fFollows, "shares": fShares, "clicks": fClicks, "exposures": fExposures,
	"spend": fSpend, "cart_adds": fCarts,
}

// bucket is one step of a series. Stamp is the step number (seconds or
// minutes since the epoch) the slot currently holds; a slot whose stamp is
// not the asked step is empty.
type bucket struct {
	Stamp int64          `json:"t"`
	V     [nFields]int64 `json:"v"`
}

// ring is a fixed-size circular series: memory and Redis use are bounded by
// its size whatever the broadcast's length.
type ring struct {
	step  int64 // ms per step
	slots []bucket
	dirty map[int]bool // slots changed since the last checkpoint
}

const (
	secondSlots = 15 * 60      // per-second series: 15 minutes
	minuteSlots = 24 * 60      // per-minute series: 24 hours
	secondMs    = int64(1000)  //
	minuteMs    = int64(60000) //
)

func newRing(step int64, n int) *ring {
	return &ring{step: step, slots: make([]bucket, n), dirty: map[int]bool{}}
}

func (r *ring) slot(stamp int64) int { return int(stamp % int64(len(r.slots))) }

// at returns the bucket for time ts (ms), claiming the slot if it held an
// older step; nil if ts is older than the ring reaches back (given now).
func (r *ring) at(ts, now int64) *bucket {
	stamp := ts / r.step
	if stamp <= now/r.step-int64(len(r.slots)) {
		return nil
	}
	i := r.slot(stamp)
	b := &r.slots[i]
	if b.Stamp > stamp {
		return nil // a newer step already took the slot
	}
	if b.Stamp != stamp {
		*b = bucket{Stamp: stamp}
	}
	r.dirty[i] = true
	return b
}

// get returns the value of field f at step stamp, and whether it exists.
func (r *ring) get(stamp int64, f int) (int64, bool) {
	b := &r.slots[r.slot(stamp)] // not a copy: a bucket is 136 bytes
	if b.Stamp != stamp {
		return 0, false
	}
	return b.V[f], true
}

// sum adds field f over the steps (from, to], in steps.
func (r *ring) sum(from, to int64, f int) int64 {
	var s int64
	for st := from + 1; st <= to; st++ {
		v, _ := r.get(st, f)
		s += v
	}
	return s
}

// sums adds every field over the steps (from, to], in steps: one pass
// where a snapshot would otherwise make one per field.
func (r *ring) sums(from, to int64) [nFields]int64 {
	var s [nFields]int64
	for st := from + 1; st <= to; st++ {
		b := &r.slots[r.slot(st)]
		if b.Stamp != st {
			continue
		}
		for f, v := range b.V {
			s[f] += v
		}
	}
	return s
}

// Point is one [time, value] pair of a series.
type Point [2]int64

// points lists field f from step since (ms) to now, oldest first. Online
// carries forward its last value through buckets that saw no viewers event.
func (r *ring) points(f int, since, now int64) []Point {
	first, last := since/r.step, now/r.step
	if min := last - int64(len(r.slots)) + 1; first < min {
		first = min
	}
	out := make([]Point, 0, last-first+1)
	var carry int64
	seen := false
	for st := first; st <= last; st++ {
		v, ok := r.get(st, f)
		if f == fOnline {
			if ok && v > 0 {
				carry, seen = v-1, true
			}
			if !seen {
				continue // nothing to carry before the first count
			}
			v = carry
		} else if !ok {
			continue
		}
		out = append(out, Point{st * r.step, v})
	}
	return out
}
