#!/usr/bin/env bash
# Installs what LiveDeck's tests need and a fresh Debian machine lacks:
# redis-server/redis-cli (real Redis for integration tests), chromium and
# CJK fonts (console end-to-end tests and screenshots), promtool (checks
# /metrics), and the npm packages of the console and the TikTok forwarder. Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v redis-server >/dev/null || need+=(redis-server)
command -v redis-cli >/dev/null || need+=(redis-tools)
command -v chromium >/dev/null || need+=(chromium)
command -v promtool >/dev/null || need+=(prometheus)
# CJK and emoji glyphs, so end-to-end screenshots show Chinese text and
# emoji rather than boxes.
[ -d /usr/share/fonts/opentype/noto ] || need+=(fonts-noto-cjk)
[ -f /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf ] || need+=(fonts-noto-color-emoji)
if [ ${#need[@]} -gt 0 ]; then
  echo "deps: installing ${need[*]}"
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  before=$(pgrep -x prometheus || true)
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  # Debian's prometheus package may start a server; LiveDeck needs only
  # promtool. Stop only a server this install started, never one the
  # machine already ran.
  for pid in $(pgrep -x prometheus || true); do
    case " $(echo $before) " in *" $pid "*) ;; *) $sudo kill "$pid" 2>/dev/null || true ;; esac
  done
fi

# npm packages of the console and of the TikTok LIVE forwarder.
for dir in console connectors/tiktok-forwarder; do
  [ -f "$dir/package-lock.json" ] || continue
  stamp=$dir/node_modules/.livedeck-lock
  if ! cmp -s "$dir/package-lock.json" "$stamp" 2>/dev/null; then
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
    cp "$dir/package-lock.json" "$stamp"
  fi
done
