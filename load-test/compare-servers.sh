#!/usr/bin/env bash
# Compares two builds of the server on this machine, in the same session: starts each jar in turn on the same
# database with the send rate limit and the registration limit lifted and cheap password hashing (every run signs up 100
# fresh users from 127.0.0.1), warms it up, runs the one-to-one scenarios with the same generator,
# stops it (SIGTERM), and does it all again ROUNDS times, alternating, so that drift of a shared machine hits both.
# Prints one line per run. Usage:
#   [OPEN_RATE=4000] load-test/compare-servers.sh BASELINE_JAR CURRENT_JAR [ROUNDS]
# Needs PostgreSQL and Redis on localhost, ports 8080/9000/5701 free, and the load-test jar built.
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: $0 BASELINE_JAR CURRENT_JAR [ROUNDS]" >&2; exit 64; }
baseline=$1 current=$2 rounds=${3:-2}
generator=$(dirname "$0")/target/im-load-test.jar
config=$(mktemp --suffix=.json)
logs=$(mktemp -d)
trap 'rm -f "$config"' EXIT
echo '{"realtime":{"sendsPerSecond":100000,"sendBurst":100000},"limits":{"registrationsPerAddressPerHour":0},"security":{"passwordIterations":1000}}' > "$config"

run_server() {
  local name=$1 jar=$2 pid
  IM_PG_URL=postgresql://127.0.0.1:5432/im_bench IM_JWT_SECRET=compare-servers-secret-0123456789 \
    java -Xmx1g -jar "$jar" "$config" > "$logs/$name.log" 2>&1 &
  pid=$!
  until curl -sf localhost:8080/health > /dev/null; do sleep 0.5; done
  java -jar "$generator" --transport=tcp --pairs=50 --duration=8 --window=10 > /dev/null 2>&1 || true
  # A closed window of 10 and of 1 in flight per sender, and the open model at OPEN_RATE msg/s; each run warms the
  # generator's own JVM up first (--warmup), so that its compiler does not compete with the node while measuring.
  for scenario in "tcp --window=10" "ws --window=10" "tcp --window=1" "tcp --rate=${OPEN_RATE:-4000}"; do
    set -- $scenario
    local out
    out=$(java -jar "$generator" --transport="$1" --pairs=50 --duration=10 --warmup=5 "$2" 2> /dev/null || true)
    printf '%s %s %s | %s | %s | %s\n' "$name" "$1" "$2" \
      "$(grep -E '^acked' <<< "$out" | tr -s ' ')" "$(grep -E '^ack ms' <<< "$out" | tr -s ' ')" \
      "$(grep -E '^delivered' <<< "$out" | tr -s ' ')"
  done
  kill -TERM "$pid"
  wait "$pid" || true
}

for _ in $(seq 1 "$rounds"); do
  run_server baseline "$baseline"
  run_server current "$current"
done
echo "node logs: $logs"
