#!/usr/bin/env bash
# Fan-out side by side: LiveDeck and Centrifugo, each with a Redis broker,
# under the same load, measured by the same client code (`livedeck bench ws`
# with --target livedeck or centrifugo): --clients websockets over --rooms
# rooms, --rate updates per second per room of one ~2 KB payload published
# into Redis, for --duration after a --settle idle spell.
#
# For each client count, --runs rounds; each round starts a fresh LiveDeck
# and a fresh Centrifugo (one after the other, the order alternating between
# rounds), on one Redis without persistence that is flushed before every
# server. Prints each run and the medians. See docs/benchmarks.md,
# "Side by side with Centrifugo".
#
#   scripts/bench-fanout.sh                          # 5,000 and 15,000 clients, 3 rounds
#   scripts/bench-fanout.sh --clients 2000 --runs 1 --duration 10s
#
# Needs go, redis-server and curl. Centrifugo v6.9.1 is installed with
# `go install` into $CENTRIFUGO_GOBIN (default /tmp/livedeck-bench-fanout/bin)
# unless $CENTRIFUGO names a binary.
set -euo pipefail

clients="5000,15000"
runs=3
rooms=10
rate=4
duration=20s
settle=10s
while [ $# -gt 0 ]; do
	case "$1" in
	--clients) clients=$2 ;;
	--runs) runs=$2 ;;
	--rooms) rooms=$2 ;;
	--rate) rate=$2 ;;
	--duration) duration=$2 ;;
	--settle) settle=$2 ;;
	-h | --help)
		sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'
		exit 0
		;;
	*)
		echo "bench-fanout: unknown argument $1 (--clients N[,N…] --runs N --rooms N --rate N --duration D --settle D)" >&2
		exit 2
		;;
	esac
	shift 2
done

centrifugo_version=v6.9.1
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/bench-fanout.XXXXXX")
redis_pid=
server_pid=

cleanup() {
	for p in $server_pid $redis_pid; do
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# 15,000 server sockets in one process, 15,000 client sockets in another:
# each process has its own descriptor limit.
ulimit -n "$(ulimit -Hn | sed 's/unlimited/20000/')" 2>/dev/null || true
if [ "$(ulimit -n)" -lt 20000 ]; then
	ulimit -n 20000 2>/dev/null || echo "bench-fanout: open-file limit is $(ulimit -n); large --clients may fail" >&2
fi

say() { printf '%s\n' "$*" >&2; }

# A free TCP port below the ephemeral range (the clients' ports come from there).
free_port() {
	local p
	while :; do
		p=$((20000 + RANDOM % 12000))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return
		fi
	done
}

# wait_http URL: until the URL answers (at most 30 s).
wait_http() {
	for _ in $(seq 300); do
		if curl -fsS -o /dev/null "$1" 2>/dev/null; then
			return 0
		fi
		sleep 0.1
	done
	say "bench-fanout: $1 did not come up"
	return 1
}

# stop_server: SIGTERM, then wait for it to exit.
stop_server() {
	kill "$server_pid" 2>/dev/null || true
	wait "$server_pid" 2>/dev/null || true
	server_pid=
}

say "building bin/livedeck"
(cd "$root" && go build -o bin/livedeck ./cmd/livedeck)
livedeck="$root/bin/livedeck"

centrifugo=${CENTRIFUGO:-}
if [ -z "$centrifugo" ]; then
	gobin=${CENTRIFUGO_GOBIN:-/tmp/livedeck-bench-fanout/bin}
	centrifugo="$gobin/centrifugo"
	# `go install` leaves the version string unset: ask the build info.
	if ! go version -m "$centrifugo" 2>/dev/null | grep -q "mod.*centrifugo/v6.*$centrifugo_version"; then
		say "installing centrifugo $centrifugo_version into $gobin (a few minutes)"
		mkdir -p "$gobin"
		(cd "$work" && GOBIN="$gobin" GOFLAGS= go install "github.com/centrifugal/centrifugo/v6@$centrifugo_version")
	fi
fi
say "centrifugo: $centrifugo ($(go version -m "$centrifugo" | awk '$1 == "mod" { print $2, $3 }'))"

redis_port=$(free_port)
redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --dir "$work" \
	--logfile "$work/redis.log" &
redis_pid=$!
for _ in $(seq 50); do
	redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break
	sleep 0.1
done
redis_url="redis://127.0.0.1:$redis_port"

export LIVEDECK_ADMIN_TOKEN
LIVEDECK_ADMIN_TOKEN=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')

# run_livedeck CLIENTS OUT: a fresh `livedeck serve`, measured; pprof on,
# to run a GC before a memory sample.
run_livedeck() {
	local port pprof
	port=$(free_port)
	pprof=$(free_port)
	"$livedeck" serve --redis "$redis_url" --addr "127.0.0.1:$port" --pprof-addr "127.0.0.1:$pprof" \
		--api-ip-limit 100000 --ingest-limit 100000 --api-user-limit 100000 --max-ws-per-user 100000 \
		2>>"$work/livedeck.log" &
	server_pid=$!
	wait_http "http://127.0.0.1:$port/metrics"
	"$livedeck" bench ws --target livedeck --server "http://127.0.0.1:$port" --redis "$redis_url" \
		--token "$LIVEDECK_ADMIN_TOKEN" --pid "$server_pid" --gc-url "http://127.0.0.1:$pprof/debug/pprof/heap?gc=1" \
		--clients "$1" --rooms "$rooms" --rate "$rate" \
		--duration "$duration" --settle "$settle" --json "$2" >&2
	stop_server
}

# run_centrifugo CLIENTS OUT: a fresh Centrifugo on the same Redis, at its
# defaults but for what the bench needs: anonymous clients may connect and
# subscribe, Prometheus metrics and pprof (to run a GC before a memory
# sample) on.
run_centrifugo() {
	local port
	port=$(free_port)
	cat >"$work/centrifugo.json" <<EOF
{
  "http_server": {"address": "127.0.0.1", "port": $port},
  "log": {"level": "error"},
  "engine": {"type": "redis", "redis": {"address": ["$redis_url"]}},
  "client": {"allow_anonymous_connect_without_token": true},
  "channel": {"without_namespace": {"allow_subscribe_for_anonymous": true, "allow_subscribe_for_client": true}},
  "prometheus": {"enabled": true},
  "debug": {"enabled": true}
}
EOF
	"$centrifugo" --config "$work/centrifugo.json" 2>>"$work/centrifugo.log" >&2 &
	server_pid=$!
	wait_http "http://127.0.0.1:$port/metrics"
	"$livedeck" bench ws --target centrifugo --server "http://127.0.0.1:$port" --redis "$redis_url" \
		--pid "$server_pid" --gc-url "http://127.0.0.1:$port/debug/pprof/heap?gc=1" \
		--clients "$1" --rooms "$rooms" --rate "$rate" \
		--duration "$duration" --settle "$settle" --json "$2" >&2
	stop_server
}

# field FILE KEY: a number from a `bench ws --json` file.
field() { sed -n "s/^ *\"$2\": *\([-0-9.e+]*\),\{0,1\}$/\1/p" "$1"; }

results="$work/results.tsv"
printf 'clients\tserver\trun\tload1\tdelivered\texpected\tp50_ms\tp99_ms\tmax_ms\tcpu_pct\tcpu_us_msg\theap_stacks_kb\trss_kb\theap_stacks_gc_kb\n' >"$results"

for n in ${clients//,/ }; do
	for r in $(seq "$runs"); do
		order="livedeck centrifugo"
		if [ $((r % 2)) -eq 0 ]; then
			order="centrifugo livedeck"
		fi
		for s in $order; do
			redis-cli -p "$redis_port" flushall >/dev/null
			load=$(cut -d' ' -f1 /proc/loadavg)
			say ""
			say "== $s, $n clients, run $r (load average $load)"
			out="$work/$s-$n-$r.json"
			"run_$s" "$n" "$out"
			printf '%s\t%s\t%s\t%s' "$n" "$s" "$r" "$load" >>"$results"
			for k in delivered expected p50_ms p99_ms max_ms server_cpu_percent server_cpu_us_per_msg heap_stacks_kb_per_conn rss_kb_per_conn heap_stacks_gc_kb_per_conn; do
				printf '\t%s' "$(field "$out" "$k")" >>"$results"
			done
			printf '\n' >>"$results"
		done
	done
done

echo
echo "Runs ($rooms rooms, $rate updates/s per room, $duration measured after $settle idle; load = 1-min load average at the start):"
awk -F'\t' 'NR == 1 { print; next } {
	printf "%s\t%s\t%s\t%s\t%s\t%s\t%.1f\t%.1f\t%.1f\t%.0f\t%.1f\t%.1f\t%.1f\t%.1f\n", $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14
}' "$results" | column -t -s $'\t'

echo
echo "Medians:"
awk -F'\t' '
function median(key,   n, i, j, t, v) {
	n = split(vals[key], v, " ")
	for (i = 2; i <= n; i++) for (j = i; j > 1 && v[j-1] + 0 > v[j] + 0; j--) { t = v[j]; v[j] = v[j-1]; v[j-1] = t }
	return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
}
NR == 1 { next }
{
	g = $1 "\t" $2
	if (!(g in seen)) { seen[g] = 1; order[++ng] = g }
	for (c = 4; c <= 14; c++) vals[g, c] = vals[g, c] " " $c
	pct = $6 > 0 ? 100 * $5 / $6 : 0
	vals[g, "pct"] = vals[g, "pct"] " " pct
}
END {
	print "clients\tserver\tload1\tdelivered %\tp50 ms\tp99 ms\tmax ms\tCPU %\tCPU µs/msg\theap+stacks KB/conn\tRSS KB/conn\theap+stacks after GC"
	for (i = 1; i <= ng; i++) {
		g = order[i]
		printf "%s\t%.1f\t%.2f\t%.1f\t%.1f\t%.1f\t%.0f\t%.1f\t%.1f\t%.1f\t%.1f\n", g, median(g SUBSEP 4), median(g SUBSEP "pct"),
			median(g SUBSEP 7), median(g SUBSEP 8), median(g SUBSEP 9), median(g SUBSEP 10), median(g SUBSEP 11), median(g SUBSEP 12), median(g SUBSEP 13), median(g SUBSEP 14)
	}
}' "$results" | column -t -s $'\t'
