#!/usr/bin/env bash
# Scans the module with govulncheck against a vulnerability database built
# from a pinned golang.org/x/vulndb snapshot (the Go module proxy serves it;
# vuln.go.dev is not reachable from the build machines). Fails on any
# finding that is not explained in scripts/vulncheck-explained.txt; the full
# report goes to artifacts/govulncheck.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
VULNDB_VERSION=v0.0.0-20261105234957-e22db6528018
GOVULNCHECK=golang.org/x/vuln/cmd/govulncheck@v1.9.0
src=$(go mod download -json "golang.org/x/vulndb@${VULNDB_VERSION}" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
db=$(mktemp -d)
trap 'rm -rf "$db"' EXIT
go run ./scripts/vulndb -src "$src" -out "$db/db"
GOBIN="$db/bin" go install "$GOVULNCHECK"
mkdir -p artifacts
set +e
"$db/bin/govulncheck" -db "file://$db/db" ./... > artifacts/govulncheck.txt 2>&1
rc=$?
set -e
if [ $rc -ne 0 ] && [ $rc -ne 3 ]; then
  cat artifacts/govulncheck.txt
  echo "govulncheck failed (exit $rc)"; exit 1
fi
found=$(sed -n 's/^Vulnerability #[0-9]*: \(GO-[0-9-]*\)$/\1/p' artifacts/govulncheck.txt | sort -u)
unexplained=""
for id in $found; do
  grep -q "^$id " scripts/vulncheck-explained.txt || unexplained="$unexplained $id"
done
n=$(echo "$found" | grep -c . || true)
if [ -n "$unexplained" ]; then
  cat artifacts/govulncheck.txt
  echo "govulncheck: findings not explained in scripts/vulncheck-explained.txt:$unexplained"
  exit 1
fi
echo "govulncheck (vulndb ${VULNDB_VERSION}): $n findings, each explained in scripts/vulncheck-explained.txt; report in artifacts/govulncheck.txt"
