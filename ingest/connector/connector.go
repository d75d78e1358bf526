// Package connector turns platforms' own payloads (Douyin, TikTok LIVE,
// Bilibili, Shopify, 抖店, or any JSON webhook through a declared mapping)
// into LiveDeck events. Adapters are pure: they verify a delivery's
// signature and map its messages; the ingest service stores the events and
// the server answers the platform as it expects.
package connector

import (
	"errors"
	"net/http"
	"sort"
	"sync"
	"time"

	"github.com/livedeck/livedeck"
)

// Delivery is one request (or one ingest websocket message) from a
// platform, as it arrived. Body is the raw bytes: signatures are computed
// over them, never over re-encoded JSON.
type Delivery struct {
	Header   http.Header // nil on the ingest websocket
	Body     []byte
	Room     string
	Source   string    // the connector's source name (?source=); the mapping adapter derives event ids from it
	Received time.Time // the server's clock when it arrived; the fallback event time
}

// Settings are one room's settings for one source (a connector). They are
// kept per room and source and given to the adapter on every delivery.
type Settings struct {
	Format string `json:"format"` // an adapter name: douyin-open, shopify, …, mapping

	// Products maps a platform's product, SKU or variant ids to the room's
	// SKUs. A product listed on several platforms has one entry per id.
	// An id with no entry is used as the SKU itself.
	Products map[string]string `json:"products,omitempty"`

	// Currency is the ISO 4217 code of the platform's money fields where a
	// payload does not name one (Shopify names its own). Empty means the
	// room's currency.
	Currency string `json:"currency,omitempty"`

	// GiftRate is the value of one unit of the platform's virtual currency
	// (diamond, coin, 瓜子) in minor units of Currency, as a decimal string:
	// "0.5" means two units make one minor unit. Empty means the adapter's
	// documented default.
	GiftRate string `json:"gift_rate,omitempty"`

	// AcceptTest keeps messages a platform marks as test data (Douyin's
	// "test": true); by default they are ignored.
	AcceptTest bool `json:"accept_test,omitempty"`

	// Mapping is the declared mapping of format "mapping" (any JSON webhook).
	Mapping *MappingSpec `json:"mapping,omitempty"`
}

// SKU maps a platform's product id to the room's SKU.
func (s *Settings) SKU(platformID string) string {
	if sku, ok := s.Products[platformID]; ok {
		return sku
	}
	return platformID
}

// Message is one platform message of a delivery and what it maps to.
// Exactly one of these holds: Events is non-empty, Ignored is true, or Err
// is set.
type Message struct {
	Index   int              // 0-based position of the message in the delivery
	ID      string           // the platform's own message id, if it has one
	Kind    string           // the platform's message type: cmd, method, topic, tag
	Events  []livedeck.Event // the LiveDeck events it maps to
	Ignored bool             // a kind LiveDeck does not use: counted, not an error
	Err     error            // could not be mapped: kept as a dead letter with this reason
	Raw     []byte           // the message's own bytes, kept with a dead letter
}

// Adapter maps one platform's format.
type Adapter interface {
	// Name is the format's name, as in ?format=NAME.
	Name() string

	// Signed reports whether deliveries carry a platform signature that
	// Verify checks. Unsigned formats (payloads a LiveDeck connector
	// forwards) are authenticated by LiveDeck's own credentials instead.
	Signed() bool

	// Verify checks a delivery's signature with one of secrets (a source
	// may have a current and a previous secret during a rotation). It
	// returns ErrBadSignature (wrapped, with the reason) when none matches,
	// and is called only for Signed adapters.
	Verify(d *Delivery, secrets []string) error

	// Decode maps a delivery's messages. An error means the delivery as a
	// whole could not be read (not JSON, not the platform's envelope); a
	// single bad message is a Message with Err set, and the others go on.
	Decode(d *Delivery, s *Settings) ([]Message, error)

	// Reply is the body (and content type) to answer a delivery with once
	// its events are stored; nil means LiveDeck's usual result JSON.
	Reply(ok bool) (contentType string, body []byte)
}

// ErrBadSignature is wrapped by Verify when a delivery's signature does
// not match.
var ErrBadSignature = errors.New("signature does not match")

var (
	mu       sync.RWMutex
	adapters = map[string]Adapter{}
)

// Register makes an adapter available by its name. Adapters register
// themselves from init; registering a name twice panics.
func Register(a Adapter) {
	mu.Lock()
	defer mu.Unlock()
	if _, dup := adapters[a.Name()]; dup {
		panic("connector: adapter " + a.Name() + " registered twice")
	}
	adapters[a.Name()] = a
}

// Lookup returns the adapter of a format.
func Lookup(name string) (Adapter, bool) {
	mu.RLock()
	defer mu.RUnlock()
	a, ok := adapters[name]
	return a, ok
}

// Formats lists the registered formats, sorted.
func Formats() []string {
	mu.RLock()
	defer mu.RUnlock()
	names := make([]string, 0, len(adapters))
	for n := range adapters {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Describer is implemented by adapters that describe themselves for
// people: the platform's name ("Shopify", "抖店") and the message kinds
// they map. It is optional; Describe falls back to the format's name.
type Describer interface {
	Platform() string
	Kinds() []string
}

// Describe returns an adapter's platform name and kinds.
func Describe(a Adapter) (platform string, kinds []string) {
	if d, ok := a.(Describer); ok {
		return d.Platform(), d.Kinds()
	}
	return a.Name(), nil
}
