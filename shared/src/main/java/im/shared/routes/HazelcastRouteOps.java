package im.shared.routes;

import com.hazelcast.core.ReadOnly;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.ExtendedMapEntry;
import com.hazelcast.query.Predicate;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The operations of {@link HazelcastRoutingTable}, run by Hazelcast on the partition that owns the uid.
 * An entry processor reads and writes one entry under its partition's single thread, so concurrent
 * updates from any node never lose each other (no read-modify-write across the network).
 *
 * <p>A value is {@code HashMap<node, HashSet<device>>}: Hazelcast has built-in serializers for both, so
 * no Java serialization of the value; an empty value is never stored (the entry is removed).
 */
final class HazelcastRouteOps {

  /** Routes are hints: an entry no gateway has refreshed (re-added) for this long expires. */
  static final long TTL_HOURS = 24;

  private HazelcastRouteOps() {}

  /** Adds one device route and restarts the entry's TTL. */
  static final class Add implements EntryProcessor<String, HashMap<String, HashSet<String>>, Void> {
    private static final long serialVersionUID = 1L;
    private final String node;
    private final String device;

    Add(String node, String device) {
      this.node = node;
      this.device = device;
    }

    @Override
    public Void process(Map.Entry<String, HashMap<String, HashSet<String>>> entry) {
      HashMap<String, HashSet<String>> routes = entry.getValue() == null ? new HashMap<>() : entry.getValue();
      routes.computeIfAbsent(node, n -> new HashSet<>()).add(device);
      ((ExtendedMapEntry<String, HashMap<String, HashSet<String>>>) entry).setValue(routes, TTL_HOURS, TimeUnit.HOURS);
      return null;
    }
  }

  /** Removes one device route; the entry goes when its last route does. */
  static final class Remove implements EntryProcessor<String, HashMap<String, HashSet<String>>, Void> {
    private static final long serialVersionUID = 1L;
    private final String node;
    private final String device;

    Remove(String node, String device) {
      this.node = node;
      this.device = device;
    }

    @Override
    public Void process(Map.Entry<String, HashMap<String, HashSet<String>>> entry) {
      HashMap<String, HashSet<String>> routes = entry.getValue();
      HashSet<String> devices = routes == null ? null : routes.get(node);
      if (devices == null || !devices.remove(device)) {
        return null;
      }
      if (devices.isEmpty()) {
        routes.remove(node);
      }
      store(entry, routes);
      return null;
    }
  }

  /** Removes every route of one node (a node that left the cluster). */
  static final class DropNode implements EntryProcessor<String, HashMap<String, HashSet<String>>, Boolean> {
    private static final long serialVersionUID = 1L;
    private final String node;

    DropNode(String node) {
      this.node = node;
    }

    @Override
    public Boolean process(Map.Entry<String, HashMap<String, HashSet<String>>> entry) {
      HashMap<String, HashSet<String>> routes = entry.getValue();
      if (routes == null || routes.remove(node) == null) {
        return Boolean.FALSE;
      }
      store(entry, routes);
      return Boolean.TRUE;
    }
  }

  /** Selects the entries that hold a route of one node, so that only those are processed and backed up. */
  static final class OnNode implements Predicate<String, HashMap<String, HashSet<String>>> {
    private static final long serialVersionUID = 1L;
    private final String node;

    OnNode(String node) {
      this.node = node;
    }

    @Override
    public boolean apply(Map.Entry<String, HashMap<String, HashSet<String>>> entry) {
      HashMap<String, HashSet<String>> routes = entry.getValue();
      return routes != null && routes.containsKey(node);
    }
  }

  /** Reads an entry in place: one batched call for many uids, no backup, no lock. */
  static final class Read
      implements EntryProcessor<String, HashMap<String, HashSet<String>>, HashMap<String, HashSet<String>>>, ReadOnly {
    private static final long serialVersionUID = 1L;
    static final Read INSTANCE = new Read();

    @Override
    public HashMap<String, HashSet<String>> process(Map.Entry<String, HashMap<String, HashSet<String>>> entry) {
      return entry.getValue();
    }

    @Override
    public EntryProcessor<String, HashMap<String, HashSet<String>>, HashMap<String, HashSet<String>>> getBackupProcessor() {
      return null;
    }
  }

  /** A removal keeps the TTL running: only an add (a gateway's refresh) extends an entry's life. */
  private static void store(Map.Entry<String, HashMap<String, HashSet<String>>> entry, HashMap<String, HashSet<String>> routes) {
    if (routes.isEmpty()) {
      entry.setValue(null);
    } else {
      ((ExtendedMapEntry<String, HashMap<String, HashSet<String>>>) entry).setValueWithoutChangingExpiryTime(routes);
    }
  }
}
