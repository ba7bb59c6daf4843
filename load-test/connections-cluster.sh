#!/usr/bin/env bash
# Many authenticated connections on one machine across a local cluster: starts --nodes clustered nodes, splits
# --connections over --generators ConnectionsLoad processes (one process may hold at most ~19,500 sockets here, so
# a large run needs several, each from a 127.0.0.x of its own), holds them all at once, proves that users are
# reachable across the nodes (--reach-sample messages in all, sender and recipient on different nodes), and prints
# the totals: connections the nodes held at once, the joint connect rate, the reach sample, and each node's heap and
# resident set per connection (after a full GC). Stops everything it started on exit.
#
#   load-test/connections-cluster.sh --connections=100000 --nodes=6 --generators=6 --transport=ws
#
# Options (defaults): --connections=3000 --nodes=3 --generators=3 --transport=ws --reach-sample=100 --hold=10;
# any other --key=value goes to every generator (e.g. --setup-concurrency=64). Environment: see cluster-run.sh
# (ports BASE_PORT+1.., database LOAD_DB, NODE_HEAP, GEN_HEAP, ...). Needs PostgreSQL and Redis on localhost and
# both jars built (mvn -q -DskipTests package). Exit status: 0 every connection held and every sampled recipient
# reached, 2 not, 1 the run failed.
set -euo pipefail
source "$(dirname "$0")/cluster-run.sh"

connections=3000 nodes=3 generators=3 transport=ws reach=100 hold=10
forwarded=()
for arg in "$@"; do
  case $arg in
    --connections=*) connections=${arg#*=} ;;
    --nodes=*) nodes=${arg#*=} ;;
    --generators=*) generators=${arg#*=} ;;
    --transport=*) transport=${arg#*=} ;;
    --reach-sample=*) reach=${arg#*=} ;;
    --hold=*) hold=${arg#*=} ;;
    --*=*) forwarded+=("$arg") ;;
    *) echo "usage: $0 [--connections=N] [--nodes=K] [--generators=G] [--transport=ws|tcp] [--reach-sample=N] [--hold=S] [generator --key=value ...]" >&2
       exit 64 ;;
  esac
done

require_jars
# Each node holds its share of the connections and each generator the other end of its share: both must fit.
require_files $(((connections + nodes - 1) / nodes)) node
require_files $(((connections + generators - 1) / generators)) "generator process"

start_nodes "$nodes"
sample_nodes before
# Split over the generators like the connections: each samples pairs among its own connections.
start_generators ConnectionsLoad "$generators" "$connections" 1 connections "--transport=$transport" "--hold=$hold" \
  "--reach-sample=$(((reach + generators - 1) / generators))" ${forwarded[@]+"${forwarded[@]}"}
await_ready
held=$(connections_on_nodes)
echo "[cluster] all $generators generators connected; the nodes hold $held authenticated connections" >&2
sample_nodes held
go
await_generators

# Each generator's report: "connected  N in X s = R connections/s (wall clock A..B ms); still open after the hold: O;
# kicked: K" and "reach      P pairs (...): A acked, R reached, M not reached; ...".
first_ms="" last_ms=0 open=0 kicked=0 pairs=0 reached=0
for g in "${!GEN_STATUS[@]}"; do
  out=$LOG_DIR/gen-$g.out
  read -r start end still kick < <(sed -En \
    's/^connected .*wall clock ([0-9]+)\.\.([0-9]+) ms\); still open after the hold: ([0-9]+); kicked: ([0-9]+).*/\1 \2 \3 \4/p' \
    "$out") || { echo "generator $g (exit ${GEN_STATUS[g]}) reported no connections: see $LOG_DIR/gen-$g.err" >&2; continue; }
  [ -n "$first_ms" ] && [ "$first_ms" -le "$start" ] || first_ms=$start
  [ "$last_ms" -ge "$end" ] || last_ms=$end
  open=$((open + still)) kicked=$((kicked + kick))
  if read -r p r < <(sed -En 's/^reach +([0-9]+) pairs .* ([0-9]+) reached.*/\1 \2/p' "$out"); then
    pairs=$((pairs + p)) reached=$((reached + r))
  fi
  echo "generator $g: exit ${GEN_STATUS[g]}; $(grep -E '^(connected|reach)' "$out" | tr -s ' ' | paste -sd ' ')"
done

status=$WORST_STATUS
[ "$held" = "$connections" ] || status=$((status > 2 ? status : 2))
echo "connections $held of $connections held at once on $nodes nodes ($transport, $generators generators); $open still open after the hold; $kicked kicked"
if [ -n "$first_ms" ] && [ "$last_ms" -gt "$first_ms" ]; then
  awk -v c="$connections" -v ms=$((last_ms - first_ms)) \
    'BEGIN { printf "connect     %d in %.1f s = %.0f connections/s (first connect of any generator to the last)\n", c, ms / 1000, c * 1000 / ms }'
fi
where=$([ "$nodes" -gt 1 ] && echo "sender and recipient on different nodes" || echo "one node")
echo "reach       $reached of $pairs sampled recipients reached ($where)"
echo "exit        $status"
exit "$status"
