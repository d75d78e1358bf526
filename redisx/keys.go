package redisx

import "strconv"

// RoomsKey is the set of all room ids.
const RoomsKey = "ld:rooms"

// RestingKey is the set of rooms at rest: closed past their grace period, or
// archived. No instance processes them; an event for a closed one takes it
// out of the set again (see Keys.Phase).
const RestingKey = "ld:rooms:resting"

// InstancesKey is a sorted set of live server instances scored by their last
// heartbeat (Unix ms), used to share rooms fairly between instances.
const InstancesKey = "ld:instances"

// SignalsMaxLen is the approximate MAXLEN of a room's signal stream, the
// one cap every writer (rules engine, gift quotas, acknowledgements) trims
// it to: history, reconnect replay and the review read it.
const SignalsMaxLen = 10000

// Keys names one room's keys. All share the hash tag {room}.
type Keys struct{ room string }

// Room returns the key set of room id.
func Room(id string) Keys { return Keys{room: id} }

func (k Keys) p(s string) string { return "ld:{" + k.room + "}:" + s }

func (k Keys) Meta() string              { return k.p("room") }       // room JSON
func (k Keys) Events() string            { return k.p("events") }     // stream of accepted events
func (k Keys) EventCount() string        { return k.p("eventcount") } // events ever added to Events and trim marks (packed entries)
func (k Keys) Lease() string             { return k.p("lease") }      // processing lease
func (k Keys) State() string             { return k.p("state") }      // live metrics checkpoint
func (k Keys) Orders() string            { return k.p("orders") }     // order lifecycle hash
func (k Keys) Snapshot() string          { return k.p("snapshot") }   // latest snapshot JSON
func (k Keys) Live() string              { return k.p("live") }       // pub/sub channel: metrics, comments
func (k Keys) Minutes() string           { return k.p("minutes") }    // per-minute series hash
func (k Keys) Signals() string           { return k.p("signals") }    // stream of cues, tiers, alerts, gifts
func (k Keys) Rules() string             { return k.p("rules") }      // current rule set
func (k Keys) RuleVersions() string      { return k.p("rules:versions") }
func (k Keys) RuleState() string         { return k.p("rules:state") }  // per-rule state machine
func (k Keys) Fired(key string) string   { return k.p("fired:" + key) } // firing dedupe marker
func (k Keys) Acked(key string) string   { return k.p("acked:" + key) } // ack dedupe marker: who acknowledged
func (k Keys) Gifts(quota string) string { return k.p("gifts:" + quota) }
func (k Keys) Tier() string              { return k.p("tier") }   // active pricing tier JSON
func (k Keys) Review() string            { return k.p("review") } // post-broadcast review JSON
func (k Keys) Phase() string             { return k.p("phase") }  // "rest" (at rest: an event wakes it) or "archived"; none while processed

// Match is the SCAN pattern of every key of the room (ids hold no glob
// characters: see livedeck.ValidID).
func (k Keys) Match(sub string) string { return "ld:{" + k.room + "}:" + sub }

func (k Keys) Comments() string   { return k.p("comments") }   // recent comments list, newest first
func (k Keys) OrderTier() string  { return k.p("ordertier") }  // order id → tier in effect at creation
func (k Keys) BuyerUnits() string { return k.p("buyerunits") } // "sku|user" → paid units, for per-buyer limits
func (k Keys) BuyerSeen() string  { return k.p("buyerseen") }  // "order|status" applied to BuyerUnits

func (k Keys) Seconds() string { return k.p("seconds") } // per-second series ring hash
func (k Keys) Present() string { return k.p("present") } // viewers in the room → enter time
func (k Keys) Spend() string   { return k.p("spend") }   // ad spend reports: [channel, campaign, period] → newest report

// Dedupe is the set of the dedupe keys of events first seen in the ingest
// bucket that starts at Unix second start.
func (k Keys) Dedupe(start int64) string { return k.p("dedupe:" + strconv.FormatInt(start, 10)) }

// Receipt holds the reply of one ingest script call for a short while, so a
// call the Redis client retries gets the same answer. token is unique per call.
func (k Keys) Receipt(token string) string { return k.p("receipt:" + token) }
