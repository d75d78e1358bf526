package redisx

// Authentication keys. Global ones live under ld:auth:; per-room ones share
// the room's hash tag like every other key of the room.
const (
	AuthUsersKey  = "ld:auth:users"  // set of user names
	AuthTokensKey = "ld:auth:tokens" // hash: token id → SHA-256 of its secret
	AuditKey      = "ld:audit"       // stream of audit entries
)

// AuthUser is a user's record (JSON).
func AuthUser(name string) string { return "ld:auth:user:" + name }

// AuthToken is the record of an API token or host link, by the SHA-256 (hex)
// of its secret: the secret itself is never stored.
func AuthToken(hash string) string { return "ld:auth:token:" + hash }

// AuthSession is a console session, by the SHA-256 (hex) of its cookie.
func AuthSession(hash string) string { return "ld:auth:session:" + hash }

// AuthRateLimit names a rate limiter bucket. The limiter library prefixes
// it with "rate:".
func AuthRateLimit(class, who string) string { return "ld:auth:rl:" + class + ":" + who }

func (k Keys) HostLinks() string                   { return k.p("hostlinks") }                 // hash: link id → token hash
func (k Keys) WebhookSecrets() string              { return k.p("webhook") }                   // hash: source → HMAC secret
func (k Keys) WebhookSeen(signature string) string { return k.p("webhook:seen:" + signature) } // replay marker
