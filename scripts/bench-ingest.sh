#!/usr/bin/env bash
# bench-ingest.sh runs the ingest benchmark matrix of docs/benchmarks.md
# ("Ingest"): for each build, rooms (1, 10) and persistence (none, AOF
# everysec), RUNS runs with a fresh redis-server and a fresh `livedeck serve`
# each, builds alternating; then redis-benchmark's pipelined XADD on the same
# machine for the raw figure. It prints every run, then a table of medians:
# events acknowledged per second and end to end (every event sent, warm-up
# included, over the time from the first send until the room's live metrics
# have folded the last: ingest can outrun the live processor on the same
# cores, and that catching up is part of the work), each with its ratio to
# raw XADD; the CPU per acknowledged event of the server, Redis and the load
# generator (utime+stime from /proc, from the end of the warm-up until the
# live metrics caught up); and events the live metrics missed (builds
# before the trim guard lose what the stream trims before it is folded).
#
# Usage:
#   scripts/bench-ingest.sh                       # the build of this checkout
#   BUILDS="old=/tmp/livedeck-old new=/tmp/livedeck-new" scripts/bench-ingest.sh
#
# Environment (defaults in brackets):
#   BUILDS    name=binary pairs [new=<go build of ./cmd/livedeck>]
#   GEN       binary whose `bench ingest` loads every build [the last build]
#   RUNS [3]  DURATION [20s]  WARMUP [5s]  CONNS [8]  BATCH [100]
#   TRANSPORT [http]  http: a POST per batch; ws: a message per batch on each
#             room's ingest websocket (bench ingest --transport)
#   ROOMS ["1 10"]  PERSIST ["off everysec"]  PORT [6411]  ADDR [127.0.0.1:18080]
#   RAW_N [1000000]  requests per redis-benchmark run
# Expected time with the defaults and two builds: about 12 minutes on a quiet machine.
set -euo pipefail

RUNS=${RUNS:-3} DURATION=${DURATION:-20s} WARMUP=${WARMUP:-5s}
CONNS=${CONNS:-8} BATCH=${BATCH:-100} ROOMS=${ROOMS:-"1 10"} TRANSPORT=${TRANSPORT:-http}
PERSIST=${PERSIST:-"off everysec"} PORT=${PORT:-6411} ADDR=${ADDR:-127.0.0.1:18080}
RAW_N=${RAW_N:-1000000}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/bench-ingest.XXXXXX)
results=$work/results.tsv

if [[ -z ${BUILDS:-} ]]; then
	(cd "$root" && go build -o "$work/livedeck" ./cmd/livedeck)
	BUILDS="new=$work/livedeck"
fi
read -r -a builds <<<"$BUILDS"
GEN=${GEN:-${builds[-1]#*=}}
export LIVEDECK_ADMIN_TOKEN=${LIVEDECK_ADMIN_TOKEN:-$(openssl rand -hex 32)}
export LIVEDECK_TOKEN=$LIVEDECK_ADMIN_TOKEN

redis_pid= server_pid=
cleanup() {
	[[ -n $server_pid ]] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
	[[ -n $redis_pid ]] && kill "$redis_pid" 2>/dev/null && wait "$redis_pid" 2>/dev/null || true
	server_pid= redis_pid=
}
trap 'cleanup; rm -rf "$work"' EXIT

# cpu PID prints utime+stime of a process in clock ticks.
cpu() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
secs() { awk -v d="$1" 'BEGIN { sub(/s$/, "", d); print d }'; }

start_redis() { # persist
	rm -rf "$work/redis" && mkdir -p "$work/redis"
	local aof=(--appendonly no)
	[[ $1 == everysec ]] && aof=(--appendonly yes --appendfsync everysec)
	redis-server --port "$PORT" --bind 127.0.0.1 --save '' --dir "$work/redis" "${aof[@]}" \
		--logfile "$work/redis.log" &
	redis_pid=$!
	until redis-cli -p "$PORT" ping >/dev/null 2>&1; do sleep 0.1; done
}

# A server allows 20 websockets per token by default; the ws bench holds one
# per connection and room.
ws_flags=()
[[ $TRANSPORT == ws ]] && ws_flags=(--max-ws-per-user 10000)

start_server() { # binary
	"$1" serve --redis "redis://127.0.0.1:$PORT" --addr "$ADDR" \
		--api-ip-limit 100000 --ingest-limit 100000 --api-user-limit 100000 "${ws_flags[@]}" 2>"$work/server.log" &
	server_pid=$!
	until curl -fs "http://$ADDR/readyz" >/dev/null 2>&1; do sleep 0.2; done
}

# one NAME BINARY ROOMS PERSIST appends a line to the results.
one() {
	local name=$1 bin=$2 rooms=$3 persist=$4 hz out gen_pid
	hz=$(getconf CLK_TCK)
	start_redis "$persist"
	start_server "$bin"
	"$GEN" bench ingest --server "http://$ADDR" --batch "$BATCH" --duration "$DURATION" \
		--warmup "$WARMUP" --conns "$CONNS" --rooms "$rooms" --transport "$TRANSPORT" >"$work/bench.out" &
	gen_pid=$!
	sleep "$(secs "$WARMUP")"
	local s0 r0 s1 r1
	s0=$(cpu "$server_pid") r0=$(cpu "$redis_pid")
	# The generator returns once the live metrics have folded every event
	# it sent: the CPU to catch up counts too.
	wait "$gen_pid" || true
	s1=$(cpu "$server_pid") r1=$(cpu "$redis_pid")
	out=$(cat "$work/bench.out")
	local n rate p99 gen load e2e catch missed
	n=$(sed -n 's/^accepted \([0-9]*\) events.*/\1/p' <<<"$out")
	rate=$(sed -n 's/^accepted [0-9]* events (\([0-9]*\) events\/s).*/\1/p' <<<"$out")
	p99=$(sed -n "s/.*p99=\([^ ]*\).*/\1/p" <<<"$out")
	gen=$(sed -n "s/^generator CPU: \([0-9.]*\) .*/\1/p" <<<"$out")
	e2e=$(sed -n 's/.*end to end \([0-9]*\) events\/s.*/\1/p' <<<"$out")
	catch=$(sed -n 's/^live metrics: folded \([0-9.]*\)\(m\?s\) after.*/\1\2/p' <<<"$out")
	missed=$(sed -n 's/^live metrics: MISSED \([0-9]*\) .*/\1/p' <<<"$out")
	load=$(cut -d' ' -f1 /proc/loadavg)
	awk -v OFS='\t' -v b="$name" -v r="$rooms" -v p="$persist" -v rate="$rate" -v n="$n" \
		-v s=$((s1 - s0)) -v rd=$((r1 - r0)) -v g="${gen:-0}" -v hz="$hz" -v p99="$p99" -v l="$load" \
		-v e2e="${e2e:-0}" -v c="${catch:--}" -v x="${missed:-0}" \
		'BEGIN { us = 1e6 / hz / (n > 0 ? n : 1); print b, r, p, rate, s * us, rd * us, g, p99, l, e2e, c, x }' |
		tee -a "$results"
	cleanup
}

raw() {
	start_redis off
	local ev='{"id":"1733000000000-0-0-0","type":"comment","ts":1733000000000,"source":"bench","user_id":"u42","nickname":"观众","text":"主播今天的口红色号是多少"}'
	redis-benchmark -p "$PORT" -P 64 -n "$RAW_N" -q XADD ld:bench MAXLEN '~' 1000000 '*' e "$ev" |
		tr '\r' '\n' | sed -n 's/.*: \([0-9.]*\) requests per second.*/\1/p' | tail -1 |
		awk -v OFS='\t' -v l="$(cut -d' ' -f1 /proc/loadavg)" '{ print "raw", "-", "off", int($1), 0, 0, 0, "-", l, 0, "-", 0 }' |
		tee -a "$results"
	cleanup
}

printf 'build\trooms\tpersist\tevents/s\tserver_us\tredis_us\tgen_us\tp99\tload1\te2e/s\tcatch_up\tmissed\n'
raw
for persist in $PERSIST; do
	for rooms in $ROOMS; do
		for ((i = 1; i <= RUNS; i++)); do
			for b in "${builds[@]}"; do
				one "${b%%=*}" "${b#*=}" "$rooms" "$persist"
			done
		done
	done
done
raw
raw

echo
echo "Medians of $RUNS runs ($CONNS connections over $TRANSPORT, batches of $BATCH, $DURATION measured after $WARMUP):"
awk -F'\t' '
function median(s,   a, n) { n = split(s, a, " "); asort(a); return a[int((n + 1) / 2)] }
$1 == "raw" { raw = raw " " $4; next }
{ k = $1 "\t" $2 "\t" $3; if (!(k in rate)) order[++m] = k
  rate[k] = rate[k] " " $4; srv[k] = srv[k] " " $5; rd[k] = rd[k] " " $6; gen[k] = gen[k] " " $7
  e2e[k] = e2e[k] " " $10; miss[k] = miss[k] " " $12 }
END {
  r = median(raw); printf "raw XADD -P 64: %d/s (runs:%s)\n", r, raw
  printf "%-8s %-5s %-9s %10s %7s %10s %7s %10s %9s %8s %8s   runs (acked)\n", "build", "rooms", "persist", "acked/s", "xraw", "end-to-end", "xraw", "server µs", "redis µs", "gen µs", "missed"
  for (i = 1; i <= m; i++) { k = order[i]; split(k, f, "\t"); e = median(rate[k]); ee = median(e2e[k])
    printf "%-8s %-5s %-9s %10d %7.3f %10d %7.3f %10.2f %9.2f %8.2f %8d  %s\n", f[1], f[2], f[3], e, e / r, ee, ee / r, median(srv[k]), median(rd[k]), median(gen[k]), median(miss[k]), rate[k] }
}' "$results"
