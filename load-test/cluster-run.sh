# Sourced (not run) by the load-test scripts that run one scenario against a local cluster with several generator
# processes (connections-cluster.sh, storm-cluster.sh): starts K clustered nodes of verticles/target/im-server.jar,
# samples their memory, starts G generator processes that each take a slice of the run and start its measured part
# together, and stops everything it started (and only that) when the script exits.
#
# Settings, from the environment:
#   IM_PG_SERVER   PostgreSQL server, without database      (postgresql://postgres@127.0.0.1:5432)
#   IM_REDIS_URL   Redis                                      (redis://127.0.0.1:6379)
#   LOAD_DB        the nodes' database: created and migrated by the first node (im_conns)
#   BASE_PORT      node k (1..K) listens on HTTP BASE_PORT+k, TCP BASE_PORT+100+k, Hazelcast BASE_PORT+200+k (18100)
#   NODE_HEAP      each node's -Xmx (512m)
#   PG_POOL        each node's PostgreSQL pool (4)
#   GEN_HEAP       each generator's -Xmx (1g)
#   SOURCE_PREFIX / SOURCE_FIRST  generator g (0..G-1) connects from SOURCE_PREFIX(SOURCE_FIRST+g) (127.0.0. / 101):
#                  an address of its own gives each generator the ~28,000 ephemeral ports of one local address;
#                  the generators close first, so those ports stay in TIME_WAIT for a minute after a run: wait
#                  that long before another large run, or give it another SOURCE_FIRST. Empty SOURCE_PREFIX:
#                  no address of its own (the kernel picks the port at connect, per destination, which is cheap;
#                  an explicit bind searches the address's ports in use, slowly when thousands are)
#   LOG_DIR        where node and generator logs go (a new temporary directory)

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
IM_JAR=${IM_JAR:-$root/verticles/target/im-server.jar}
GEN_JAR=${GEN_JAR:-$root/load-test/target/im-load-test.jar}
IM_PG_SERVER=${IM_PG_SERVER:-postgresql://postgres@127.0.0.1:5432}
IM_REDIS_URL=${IM_REDIS_URL:-redis://127.0.0.1:6379}
LOAD_DB=${LOAD_DB:-im_conns}
BASE_PORT=${BASE_PORT:-18100}
NODE_HEAP=${NODE_HEAP:-512m}
PG_POOL=${PG_POOL:-4}
GEN_HEAP=${GEN_HEAP:-1g}
SOURCE_PREFIX=${SOURCE_PREFIX-127.0.0.}
SOURCE_FIRST=${SOURCE_FIRST:-101}
LOG_DIR=${LOG_DIR:-$(mktemp -d -t im-cluster-run.XXXXXX)}
# Files a process holds besides its sockets (jars, epoll, pipes, Hazelcast, PostgreSQL and Redis pools, the
# generators' HTTP pools): what the ulimit check adds to each process's share of connections.
FILES_MARGIN=1000
# A node takes a few seconds to join; a machine busy with other benchmarks may take much longer.
START_LIMIT_S=300

NODE_PIDS=() NODE_HTTP=() NODE_TCP=() GEN_PIDS=() GEN_GO=()
declare -A BASE_HEAP=() BASE_RSS=()

fail() {
  echo "$*" >&2
  exit 1
}

# Stops generators and nodes started here: SIGTERM (a node drains its clients), then SIGKILL for any still running
# after 40 s. Only the pids this script recorded, never processes by name: others benchmark on this machine.
stop_all() {
  local pid
  for pid in "${GEN_PIDS[@]}" "${NODE_PIDS[@]}"; do
    kill -TERM "$pid" 2> /dev/null || true
  done
  for _ in $(seq 1 40); do
    local alive=0
    for pid in "${GEN_PIDS[@]}" "${NODE_PIDS[@]}"; do
      kill -0 "$pid" 2> /dev/null && alive=1
    done
    [ "$alive" = 0 ] && break
    sleep 1
  done
  for pid in "${GEN_PIDS[@]}" "${NODE_PIDS[@]}"; do
    kill -KILL "$pid" 2> /dev/null || true
  done
  [ "${#NODE_PIDS[@]}" = 0 ] || echo "logs: $LOG_DIR" >&2
}
trap stop_all EXIT
trap 'exit 130' INT TERM

# require_files PER_PROCESS WHAT: fails unless this shell (and so every process it starts) may open PER_PROCESS
# sockets plus the margin. The soft limit is raised to the hard one first: only the hard one is a real bound.
require_files() {
  ulimit -n "$(ulimit -Hn)" 2> /dev/null || true
  local limit need=$(($1 + FILES_MARGIN))
  limit=$(ulimit -n)
  if [ "$limit" != unlimited ] && [ "$limit" -lt "$need" ]; then
    fail "open files limit (ulimit -n) is $limit, but each $2 needs about $need ($1 sockets + $FILES_MARGIN): use more of them"
  fi
}

# require_jars: both fat jars built (mvn -q -DskipTests package).
require_jars() {
  [ -f "$IM_JAR" ] || fail "no $IM_JAR: build first (mvn -q -DskipTests package)"
  [ -f "$GEN_JAR" ] || fail "no $GEN_JAR: build first (mvn -q -DskipTests package)"
}

# The nodes' config: sign-up made cheap (hashing is set-up cost, not what is measured), the per-address
# registration limit and the per-connection send limit lifted (every user signs up from 127.0.0.1; a generator
# sends in bursts), and a small PostgreSQL pool per node (PG_POOL), since the server allows 100 connections in all:
# 4 for six nodes (a larger pool did not make a storm's thousands of first sends faster: the nodes wait for CPU).
write_node_config() {
  cat > "$LOG_DIR/node.json" << EOF
{"cluster":{"name":"loadtest-$$"},"security":{"passwordIterations":1000},
 "limits":{"registrationsPerAddressPerHour":0,"connectionsPerAddress":0},
 "realtime":{"sendsPerSecond":100000,"sendBurst":100000},"pg":{"poolSize":${PG_POOL}}}
EOF
}

start_node() {
  local k=$1 members=$2
  local http=$((BASE_PORT + k)) tcp=$((BASE_PORT + 100 + k)) cluster=$((BASE_PORT + 200 + k))
  IM_NODE_ID=lt$k IM_HTTP_PORT=$http IM_TCP_PORT=$tcp IM_CLUSTER_HOST=127.0.0.1 IM_CLUSTER_PORT=$cluster \
    IM_CLUSTER_MEMBERS=$members IM_PG_URL=$IM_PG_SERVER/$LOAD_DB IM_REDIS_URL=$IM_REDIS_URL \
    IM_JWT_SECRET=load-test-cluster-secret-0123456789 \
    java "-Xmx$NODE_HEAP" -jar "$IM_JAR" "$LOG_DIR/node.json" > "$LOG_DIR/node-$k.log" 2>&1 &
  NODE_PIDS[k]=$!
  NODE_HTTP[k]=$http
  NODE_TCP[k]=$tcp
}

# Polls /health: a starting node gives no other signal. Fails with the end of its log if it exits.
await_healthy() {
  local k=$1 deadline=$((SECONDS + START_LIMIT_S))
  until curl -sf "http://127.0.0.1:${NODE_HTTP[k]}/health" > /dev/null; do
    kill -0 "${NODE_PIDS[k]}" 2> /dev/null || fail "node $k exited: $(tail -5 "$LOG_DIR/node-$k.log")"
    [ "$SECONDS" -lt "$deadline" ] || fail "node $k not healthy after $START_LIMIT_S s: see $LOG_DIR/node-$k.log"
    sleep 1
  done
}

# start_nodes K: starts K clustered nodes and waits until all are healthy. The first creates and migrates the
# database alone (two nodes migrating one database at once would race), then the others start together.
start_nodes() {
  local count=$1 k members=""
  for k in $(seq 1 "$count"); do
    local port=$((BASE_PORT + k))
    for port in $port $((port + 100)) $((port + 200)); do
      ! ss -ltnH "sport = :$port" | grep -q . || fail "port $port is taken: choose another BASE_PORT"
    done
    members+="${members:+,}127.0.0.1:$((BASE_PORT + 200 + k))"
  done
  write_node_config
  start_node 1 "$members"
  await_healthy 1
  for k in $(seq 2 "$count"); do
    start_node "$k" "$members"
  done
  for k in $(seq 2 "$count"); do
    await_healthy "$k"
  done
  echo "[cluster] $count nodes healthy (logs in $LOG_DIR)" >&2
}

# warm_nodes SECONDS TRANSPORT: one-to-one traffic across the nodes for SECONDS, not reported, so that the measured
# part does not pay for their JIT compilers: a fresh node here still compiles for about a minute under load, and in
# a storm across fresh nodes compilation took a third of each node's CPU. A closed window of one message per pair
# goes as fast as the cold nodes answer (a fixed rate would pile up behind them). Fails only if the run could not
# start; messages it saw refused or late (exit status 2) are the cold nodes' business.
warm_nodes() {
  local seconds=$1 transport=$2 status=0
  [ "$seconds" -gt 0 ] || return 0
  echo "[cluster] warming the nodes up: $seconds s of one-to-one traffic" >&2
  java "-Xmx$GEN_HEAP" -jar "$GEN_JAR" "--nodes=$(node_list)" "--transport=$transport" --pairs=50 --window=1 \
    "--duration=$seconds" > "$LOG_DIR/warm.out" 2> "$LOG_DIR/warm.err" || status=$?
  [ "$status" -le 2 ] || fail "warming the nodes up failed: $(tail -5 "$LOG_DIR/warm.err")"
  echo "[cluster] warm-up: $(grep -E '^acked' "$LOG_DIR/warm.out")" >&2
}

# The generators' --nodes: host:httpPort:tcpPort of every node.
node_list() {
  local k list=""
  for k in "${!NODE_HTTP[@]}"; do
    list+="${list:+,}127.0.0.1:${NODE_HTTP[k]}:${NODE_TCP[k]}"
  done
  echo "$list"
}

# metric NAME METRICS: the sum of the samples of NAME (a Prometheus name; filtered by the labels written after it).
metric() {
  awk -v name="$1" 'index($0, name) == 1 { sum += $NF } END { printf "%.0f\n", sum }' <<< "$2"
}

# sample_nodes LABEL: per node, after a full GC (so heap is live data): heap in use, resident set, open files and
# authenticated connections; the first call is the baseline, later ones print what each connection costs above it.
sample_nodes() {
  local label=$1 k metrics heap rss files conns
  for k in "${!NODE_PIDS[@]}"; do
    local pid=${NODE_PIDS[k]}
    jcmd "$pid" GC.run > /dev/null 2>&1 || true
    metrics=$(curl -sf "http://127.0.0.1:${NODE_HTTP[k]}/metrics" || true)
    heap=$(metric 'jvm_memory_used_bytes{area="heap"' "$metrics")
    conns=$(metric 'im_connections{' "$metrics")
    rss=$(awk '/^VmRSS:/ { print $2 * 1024 }' "/proc/$pid/status")
    files=$(find "/proc/$pid/fd" -mindepth 1 -maxdepth 1 | wc -l)
    if [ -z "${BASE_HEAP[$k]:-}" ]; then
      BASE_HEAP[$k]=$heap BASE_RSS[$k]=$rss
    fi
    local per=""
    if [ "$conns" -gt 0 ]; then
      per=$(awk -v h="$heap" -v h0="${BASE_HEAP[$k]}" -v r="$rss" -v r0="${BASE_RSS[$k]}" -v c="$conns" \
        'BEGIN { printf " = %.1f KB heap, %.1f KB RSS per connection", (h - h0) / 1024 / c, (r - r0) / 1024 / c }')
    fi
    printf '%-6s node lt%d: %6d connections, heap %7.1f MB, rss %7.1f MB, %6d open files%s\n' "$label" "$k" "$conns" \
      "$(awk -v b="$heap" 'BEGIN { print b / 1e6 }')" "$(awk -v b="$rss" 'BEGIN { print b / 1e6 }')" "$files" "$per"
  done
}

# connections_on_nodes: authenticated connections the nodes report right now, in all.
connections_on_nodes() {
  local k total=0
  for k in "${!NODE_HTTP[@]}"; do
    total=$((total + $(metric 'im_connections{' "$(curl -sf "http://127.0.0.1:${NODE_HTTP[k]}/metrics" || true)")))
  done
  echo "$total"
}

# start_generators CLASS COUNT TOTAL CLIENTS_PER_UNIT SHARE_FLAG [ARGS...]: starts COUNT generator processes of
# im.loadtest.CLASS splitting TOTAL units between them (--SHARE_FLAG=<its share>; a unit is CLIENTS_PER_UNIT clients),
# each numbering its clients on from the previous one's (--first-index), so that together they spread over the
# nodes as one process would, from a source address of its own, with --await-go=true: each waits for the go line
# on its stdin, a fifo this shell holds open.
start_generators() {
  local class=$1 count=$2 total=$3 per_unit=$4 share_flag=$5 g first=0
  shift 5
  for g in $(seq 0 $((count - 1))); do
    local share=$((total / count + (g < total % count ? 1 : 0)))
    mkfifo "$LOG_DIR/go-$g"
    local source=()
    [ -z "$SOURCE_PREFIX" ] || source=("--source-addresses=$SOURCE_PREFIX$((SOURCE_FIRST + g))")
    java "-Xmx$GEN_HEAP" -cp "$GEN_JAR" "im.loadtest.$class" "--nodes=$(node_list)" "--$share_flag=$share" \
      "--first-index=$first" ${source[@]+"${source[@]}"} --await-go=true "$@" \
      < "$LOG_DIR/go-$g" > "$LOG_DIR/gen-$g.out" 2> "$LOG_DIR/gen-$g.err" &
    GEN_PIDS[g]=$!
    first=$((first + share * per_unit))
  done
  # Only once all are started, so that no generator inherits another's write end (each then sees end of file when
  # this shell is gone). Opening a fifo for writing returns once its generator has opened it for reading.
  for g in "${!GEN_PIDS[@]}"; do
    exec {fd}> "$LOG_DIR/go-$g"
    GEN_GO[g]=$fd
  done
}

# await_ready: until every generator has printed its ready line; fails with the end of a generator's stderr if it
# exits first. Polls the logs: the generators' only signal.
await_ready() {
  local g ready
  while true; do
    ready=0
    for g in "${!GEN_PIDS[@]}"; do
      if grep -q '] ready: ' "$LOG_DIR/gen-$g.err"; then
        ready=$((ready + 1))
      elif ! kill -0 "${GEN_PIDS[g]}" 2> /dev/null; then
        fail "generator $g exited before it was ready: $(tail -5 "$LOG_DIR/gen-$g.err")"
      fi
    done
    [ "$ready" -lt "${#GEN_PIDS[@]}" ] || return 0
    sleep 1
  done
}

# go: every generator starts its measured part now.
go() {
  local g
  for g in "${!GEN_GO[@]}"; do
    echo go >&"${GEN_GO[g]}"
  done
}

# await_generators: waits for every generator; GEN_STATUS[g] is its exit status, WORST_STATUS the highest.
await_generators() {
  local g
  GEN_STATUS=() WORST_STATUS=0
  for g in "${!GEN_PIDS[@]}"; do
    if wait "${GEN_PIDS[g]}"; then GEN_STATUS[g]=0; else GEN_STATUS[g]=$?; fi
    [ "${GEN_STATUS[g]}" -le "$WORST_STATUS" ] || WORST_STATUS=${GEN_STATUS[g]}
  done
  GEN_PIDS=()
}
