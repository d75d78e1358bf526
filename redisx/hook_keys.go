package redisx

// RuleSecretsKey is the hash of the named secrets rule webhooks sign with:
// name → JSON {value, created_at, rotated_at}. Admins manage it; no route
// returns a value.
const RuleSecretsKey = "ld:rulesecrets"

// HookRoomsKey is a sorted set of the rooms with pending outbound webhook
// deliveries, scored by (about) the Unix ms their next one is due: every
// instance's delivery loop polls it.
const HookRoomsKey = "ld:hooks:rooms"

func (k Keys) HookDue() string  { return k.p("hooks:due") }  // sorted set: delivery id → Unix ms due (or lease end)
func (k Keys) HookJobs() string { return k.p("hooks:jobs") } // hash: id → delivery JSON, id:n → attempts, id:l → lease token
