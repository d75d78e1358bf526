package redisx

import "strconv"

// Connector keys: a room's connectors (settings and platform secrets per
// source), their per-source statistics and the room's dead letters. All
// share the room's hash tag.

func (k Keys) Connectors() string     { return k.p("connectors") }      // hash: source → settings and secrets JSON
func (k Keys) ConnectorsSeen() string { return k.p("connectors:seen") } // set of sources that delivered through a format
func (k Keys) DeadLetters() string    { return k.p("deadletters") }     // stream of messages that failed mapping

// ConnectorStats is a hash of one source's counters and last message time.
func (k Keys) ConnectorStats(source string) string { return k.p("connector:" + source + ":stats") }

// ConnectorRate counts one source's messages in a 10-second bucket
// (Unix seconds / 10); buckets expire after a few minutes.
func (k Keys) ConnectorRate(source string, bucket int64) string {
	return k.p("connector:" + source + ":rate:" + strconv.FormatInt(bucket, 10))
}
