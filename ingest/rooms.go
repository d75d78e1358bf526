package ingest

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/redisx"
)

// Rooms stores rooms as JSON at redisx.Room(id).Meta(), their ids in the
// set redisx.RoomsKey.
type Rooms struct {
	rdb       redis.UniversalClient
	maxLen    int64
	retention time.Duration // of archived rooms' streams and dedupe sets
	now       func() time.Time
}

// NewRooms builds the room store; cfg gives the stream MAXLEN used for the
// stock events a stock change appends and the retention of archived rooms.
func NewRooms(rdb redis.UniversalClient, cfg Config) *Rooms {
	cfg.setDefaults()
	return &Rooms{rdb: rdb, maxLen: cfg.StreamMaxLen, retention: cfg.ArchiveRetention, now: time.Now}
}

// RoomPatch is a change to a room; nil fields are left as they are.
type RoomPatch struct {
	Title    *string             `json:"title,omitempty"`
	Products *[]livedeck.Product `json:"products,omitempty"` // replaces the line-up
	Stock    map[string]int64    `json:"stock,omitempty"`    // sku → units left, applied after Products
	Status   *string             `json:"status,omitempty"`   // live or closed (archive has its own call)
}

// Create stores a new room. An empty id gets a random one; an empty currency
// means CNY. A room with the same id is a conflict.
func (r *Rooms) Create(ctx context.Context, room livedeck.Room) (livedeck.Room, error) {
	if room.ID == "" {
		room.ID = newRoomID()
	}
	if room.Currency == "" {
		room.Currency = "CNY"
	}
	if room.Products == nil {
		room.Products = []livedeck.Product{}
	}
	room.Status, room.Created = livedeck.RoomLive, r.now().UnixMilli()
	if err := validateRoom(&room); err != nil {
		return livedeck.Room{}, err
	}
	b, err := json.Marshal(&room)
	if err != nil {
		return livedeck.Room{}, err
	}
	ok, err := r.rdb.SetNX(ctx, redisx.Room(room.ID).Meta(), b, 0).Result()
	if err != nil {
		return livedeck.Room{}, storeErr("create room "+room.ID, err)
	}
	// The id set is another hash slot; SADD is idempotent, so a conflict
	// also repairs a set that missed an earlier add.
	if err := r.rdb.SAdd(ctx, redisx.RoomsKey, room.ID).Err(); err != nil {
		return livedeck.Room{}, storeErr("create room "+room.ID, err)
	}
	if !ok {
		return livedeck.Room{}, livedeck.Errorf(livedeck.ECONFLICT, "id", "room %q already exists", room.ID)
	}
	return room, nil
}

// Get reads a room.
func (r *Rooms) Get(ctx context.Context, id string) (livedeck.Room, error) {
	room, _, err := r.get(ctx, id)
	return room, err
}

func (r *Rooms) get(ctx context.Context, id string) (livedeck.Room, string, error) {
	if !livedeck.ValidID(id) {
		return livedeck.Room{}, "", notFound(id)
	}
	raw, err := r.rdb.Get(ctx, redisx.Room(id).Meta()).Result()
	if errors.Is(err, redis.Nil) {
		return livedeck.Room{}, "", notFound(id)
	}
	if err != nil {
		return livedeck.Room{}, "", storeErr("get room "+id, err)
	}
	var room livedeck.Room
	if err := json.Unmarshal([]byte(raw), &room); err != nil {
		return livedeck.Room{}, "", fmt.Errorf("room %s: stored JSON: %w", id, err)
	}
	return room, raw, nil
}

// List returns every room, newest first.
func (r *Rooms) List(ctx context.Context) ([]livedeck.Room, error) {
	ids, err := r.rdb.SMembers(ctx, redisx.RoomsKey).Result()
	if err != nil {
		return nil, storeErr("list rooms", err)
	}
	// One GET per room in a pipeline: the metas live in different slots,
	// so MGET would fail on Redis Cluster.
	cmds := make([]*redis.StringCmd, len(ids))
	_, err = r.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, id := range ids {
			cmds[i] = p.Get(ctx, redisx.Room(id).Meta())
		}
		return nil
	})
	if err != nil && !errors.Is(err, redis.Nil) {
		return nil, storeErr("list rooms", err)
	}
	rooms := make([]livedeck.Room, 0, len(ids))
	for _, c := range cmds {
		var room livedeck.Room
		if b, err := c.Bytes(); err == nil && json.Unmarshal(b, &room) == nil {
			rooms = append(rooms, room)
		}
	}
	slices.SortFunc(rooms, func(a, b livedeck.Room) int {
		return cmp.Or(cmp.Compare(b.Created, a.Created), cmp.Compare(a.ID, b.ID))
	})
	return rooms, nil
}

// Close marks a room closed. Events for it are still accepted: refunds and
// late deliveries arrive after a show ends. After a grace period no instance
// processes it until such an event arrives (live.Config.ClosedGrace).
func (r *Rooms) Close(ctx context.Context, id string) (livedeck.Room, error) {
	closed := livedeck.RoomClosed
	return r.Update(ctx, id, RoomPatch{Status: &closed})
}

// casScript replaces a room's JSON only if it is still what the caller read,
// and appends the stock events of the change in the same step, so a stock
// change and the orders racing it reach the stream in one order.
//
//	KEYS[1] room meta, KEYS[2] event stream
//	ARGV[1] JSON read, ARGV[2] new JSON, ARGV[3] MAXLEN (~), ARGV[4..] stock event JSON
var casScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2])
for i = 4, #ARGV do
  redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[3], '*', 'e', ARGV[i])
end
return 1
`)

// Update applies a patch. Stock changes (through Stock or a product's stock
// in Products) also append a stock event per SKU to the room's stream.
func (r *Rooms) Update(ctx context.Context, id string, p RoomPatch) (livedeck.Room, error) {
	for attempt := 0; attempt < 10; attempt++ {
		old, raw, err := r.get(ctx, id)
		if err != nil {
			return livedeck.Room{}, err
		}
		if old.Status == livedeck.RoomArchived {
			return livedeck.Room{}, archivedErr(id)
		}
		if p.Status != nil && *p.Status == livedeck.RoomArchived {
			return livedeck.Room{}, livedeck.Errorf(livedeck.EINVALID, "status",
				"must be live or closed: archive a closed room with POST /api/v1/rooms/%s/archive", id)
		}
		room, stock, err := applyPatch(old, p)
		if err != nil {
			return livedeck.Room{}, err
		}
		switch {
		case room.Status == livedeck.RoomClosed && old.Status != livedeck.RoomClosed:
			room.Closed = r.now().UnixMilli()
		case room.Status == livedeck.RoomLive:
			room.Closed = 0
		}
		b, err := json.Marshal(&room)
		if err != nil {
			return livedeck.Room{}, err
		}
		args := []any{raw, b, strconv.FormatInt(r.maxLen, 10)}
		now := r.now().UnixMilli()
		for _, ev := range stockEvents(stock, now) {
			args = append(args, AppendEvent(nil, &ev))
		}
		keys := redisx.Room(id)
		ok, err := casScript.Run(ctx, r.rdb, []string{keys.Meta(), keys.Events()}, args...).Int()
		if err != nil {
			return livedeck.Room{}, storeErr("update room "+id, err)
		}
		if ok == 1 {
			if room.Status == livedeck.RoomLive && p.Status != nil {
				// Reopened: a room at rest needs an owner again.
				if err := r.rdb.SRem(ctx, redisx.RestingKey, id).Err(); err != nil {
					return livedeck.Room{}, storeErr("reopen room "+id, err)
				}
			}
			return room, nil
		}
	}
	return livedeck.Room{}, livedeck.Errorf(livedeck.ECONFLICT, "", "room %q is being changed by others: retry", id)
}

// stockChange is one SKU's new stock level.
type stockChange struct {
	sku   string
	stock int64
}

func stockEvents(changes []stockChange, now int64) []livedeck.Event {
	evs := make([]livedeck.Event, len(changes))
	for i, c := range changes {
		n := c.stock
		evs[i] = livedeck.Event{ID: "stock-" + newRoomID(), Type: livedeck.EventStock, TS: now,
			Source: "livedeck", SKU: c.sku, Stock: &n}
	}
	return evs
}

// applyPatch returns the patched room and the stock levels that changed.
func applyPatch(room livedeck.Room, p RoomPatch) (livedeck.Room, []stockChange, error) {
	before := map[string]int64{}
	for _, pr := range room.Products {
		before[pr.SKU] = pr.Stock
	}
	if p.Title != nil {
		room.Title = *p.Title
	}
	if p.Products != nil {
		room.Products = slices.Clone(*p.Products)
	} else {
		room.Products = slices.Clone(room.Products)
	}
	skus := make([]string, 0, len(p.Stock))
	for sku := range p.Stock {
		skus = append(skus, sku)
	}
	slices.Sort(skus)
	for _, sku := range skus {
		i := slices.IndexFunc(room.Products, func(pr livedeck.Product) bool { return pr.SKU == sku })
		if i < 0 {
			return room, nil, livedeck.Errorf(livedeck.EINVALID, "stock."+sku, "no product with this sku in the room")
		}
		room.Products[i].Stock = p.Stock[sku]
	}
	if p.Status != nil {
		room.Status = *p.Status
	}
	if err := validateRoom(&room); err != nil {
		return room, nil, err
	}
	var changes []stockChange
	for _, pr := range room.Products {
		// A stock in the patch says what is left now, even if it equals
		// the last one set: units sold since then are forgotten.
		if _, set := p.Stock[pr.SKU]; set {
			changes = append(changes, stockChange{pr.SKU, pr.Stock})
			continue
		}
		if old, ok := before[pr.SKU]; !ok || old != pr.Stock {
			changes = append(changes, stockChange{pr.SKU, pr.Stock})
		}
	}
	return room, changes, nil
}

func validateRoom(room *livedeck.Room) error {
	bad := func(field, format string, a ...any) error {
		return livedeck.Errorf(livedeck.EINVALID, field, format, a...)
	}
	switch {
	case !livedeck.ValidID(room.ID):
		return bad("id", "must be 1-64 letters, digits, '_', '.' or '-'")
	case room.Title == "" || len(room.Title) > 200:
		return bad("title", "required, at most 200 bytes")
	case !validCurrency(room.Currency):
		return bad("currency", "must be an ISO 4217 code such as CNY")
	case room.Status != livedeck.RoomLive && room.Status != livedeck.RoomClosed && room.Status != livedeck.RoomArchived:
		return bad("status", "must be live or closed")
	case len(room.Products) > 500:
		return bad("products", "at most 500 products per room")
	}
	seen := map[string]bool{}
	for i, p := range room.Products {
		f := func(name string) string { return fmt.Sprintf("products[%d].%s", i, name) }
		switch {
		case !livedeck.ValidID(p.SKU):
			return bad(f("sku"), "must be 1-64 letters, digits, '_', '.' or '-'")
		case seen[p.SKU]:
			return bad(f("sku"), "duplicate sku %q", p.SKU)
		case p.Name == "" || len(p.Name) > 200:
			return bad(f("name"), "required, at most 200 bytes")
		case p.Price < 0 || p.Price > maxMoney:
			return bad(f("price"), "must be 0..100000000000 minor units (分)")
		case p.Stock < 0 || p.Stock > maxOnline:
			return bad(f("stock"), "must be 0..1000000000")
		case p.FloorPrice < 0 || p.FloorPrice > p.Price:
			return bad(f("floor_price"), "must be between 0 and the price")
		case p.MaxDiscount < 0 || p.MaxDiscount > p.Price:
			return bad(f("max_discount"), "must be between 0 and the price")
		case p.BuyerLimit < 0 || p.BuyerLimit > maxOnline:
			return bad(f("buyer_limit"), "must be 0 (no limit) to 1000000000 units per buyer")
		}
		seen[p.SKU] = true
	}
	return nil
}

func validCurrency(c string) bool {
	if len(c) != 3 {
		return false
	}
	for _, r := range c {
		if r < 'A' || r > 'Z' {
			return false
		}
	}
	return true
}

func archivedErr(id string) error {
	return livedeck.Errorf(livedeck.ECONFLICT, "room", "room %s is archived: it takes no more events or changes (its review stays)", quoteShort(id))
}

func notFound(id string) error {
	return livedeck.Errorf(livedeck.ENOTFOUND, "room", "room %s not found", quoteShort(id))
}

func storeErr(what string, err error) error {
	return fmt.Errorf("%s: %w", what, &unavailable{err})
}

func newRoomID() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
