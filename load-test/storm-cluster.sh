#!/usr/bin/env bash
# The reconnect storm across a local cluster: starts --nodes clustered nodes, splits --pairs sender -> peer pairs
# over --generators ReconnectStormLoad processes (each pair is two connections and one process may hold at most
# ~19,500 sockets here, so 10,000 dropped peers need two or more), starts their traffic together so that every
# peer of every process drops at the same moment, --before seconds in, and prints the totals: peers dropped, the
# time from the drop until the last peer of any process had reconnected and synced, and whether every acked
# message reached its peer (live or synced). Stops everything it started on exit.
#
#   load-test/storm-cluster.sh --pairs=10000 --nodes=3 --generators=2 --transport=ws --rate=5000
#
# Options (defaults): --pairs=1000 --nodes=3 --generators=2 --transport=ws --rate=<pairs>/s in all --before=5
# --after=10 --jitter-ms=5000 --warm=60 (seconds of one-to-one traffic across the fresh nodes first, unreported:
# 0 for none); any other --key=value goes to every generator. Environment: see cluster-run.sh
# (ports BASE_PORT+1.., database LOAD_DB, NODE_HEAP, GEN_HEAP, ...). Needs PostgreSQL and Redis on localhost and
# both jars built (mvn -q -DskipTests package). Exit status: the worst generator's (0 clean, 2 errors or messages
# missing, 1 failed).
set -euo pipefail
# No source address per generator unless asked for: 10,000 peers reconnecting through bind() to one address spent
# 44 % of their generator's CPU in the kernel's search for a free port, and a storm needs no more ports than the
# kernel gives each destination node anyway.
SOURCE_PREFIX=${SOURCE_PREFIX-}
source "$(dirname "$0")/cluster-run.sh"

pairs=1000 nodes=3 generators=2 transport=ws rate="" before=5 after=10 jitter=5000 warm=60
forwarded=()
for arg in "$@"; do
  case $arg in
    --pairs=*) pairs=${arg#*=} ;;
    --nodes=*) nodes=${arg#*=} ;;
    --generators=*) generators=${arg#*=} ;;
    --transport=*) transport=${arg#*=} ;;
    --rate=*) rate=${arg#*=} ;;
    --before=*) before=${arg#*=} ;;
    --after=*) after=${arg#*=} ;;
    --jitter-ms=*) jitter=${arg#*=} ;;
    --warm=*) warm=${arg#*=} ;;
    --*=*) forwarded+=("$arg") ;;
    *) echo "usage: $0 [--pairs=N] [--nodes=K] [--generators=G] [--transport=ws|tcp] [--rate=MSG_PER_S] [--before=S] [--after=S] [--jitter-ms=MS] [--warm=S] [generator --key=value ...]" >&2
       exit 64 ;;
  esac
done
rate=${rate:-$pairs}

require_jars
# Every pair is two connections: a node holds its share of 2 x pairs, a generator both ends of its pairs.
require_files $(((2 * pairs + nodes - 1) / nodes)) node
require_files $((2 * ((pairs + generators - 1) / generators))) "generator process"

start_nodes "$nodes"
warm_nodes "$warm" "$transport"
# Each generator sends at its share of the rate: the same rate per sender everywhere.
start_generators ReconnectStormLoad "$generators" "$pairs" 2 pairs "--transport=$transport" \
  "--rate=$(((rate + generators - 1) / generators))" "--before=$before" "--after=$after" "--jitter-ms=$jitter" \
  ${forwarded[@]+"${forwarded[@]}"}
await_ready
echo "[cluster] all $generators generators connected; the nodes hold $(connections_on_nodes) authenticated connections" >&2
go
await_generators

# Each generator's report: "storm      N peers dropped at once; all reconnected and synced X s after the drop; F
# connect attempts failed ...", "acked      A in ...", "delivered  D of A acked, O out of order, U duplicates; ...".
dropped=0 slowest=0 failed=0 acked=0 delivered=0 disorder=0
for g in "${!GEN_STATUS[@]}"; do
  out=$LOG_DIR/gen-$g.out
  echo "generator $g: exit ${GEN_STATUS[g]}; $(grep -E '^(storm|acked|delivered|errors)' "$out" | tr -s ' ' | paste -sd ' ')"
  read -r n s f < <(sed -En 's/^storm +([0-9]+) peers .* synced ([0-9.]+) s after the drop; ([0-9]+) connect.*/\1 \2 \3/p' "$out") \
    || { echo "generator $g reported no storm: see $LOG_DIR/gen-$g.err" >&2; continue; }
  dropped=$((dropped + n)) failed=$((failed + f))
  slowest=$(awk -v a="$slowest" -v b="$s" 'BEGIN { print (b > a ? b : a) }')
  read -r a < <(sed -En 's/^acked +([0-9]+) .*/\1/p' "$out") && acked=$((acked + a))
  read -r d o < <(sed -En 's/^delivered +([0-9]+) of .*, ([0-9]+) out of order.*/\1 \2/p' "$out") \
    && delivered=$((delivered + d)) disorder=$((disorder + o))
done

echo "storm       $dropped peers on $nodes nodes ($transport, $generators generators) dropped at once; all reconnected and synced $slowest s after the drop; $failed connect attempts retried"
echo "messages    $delivered of $acked acked reached their peer (live or synced), $disorder out of order"
echo "exit        $WORST_STATUS"
exit "$WORST_STATUS"
