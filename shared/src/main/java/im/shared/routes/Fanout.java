package im.shared.routes;

import io.vertx.core.Future;

import java.util.List;
import java.util.Set;

/**
 * Delivers frames to users wherever they are connected: one routes lookup for all recipients of the
 * batch, then one {@code deliver} event per node that has any of them. Offline users cost nothing.
 * Delivery is best effort: the future fails only when the routes could not be read.
 */
public interface Fanout {

  Future<Void> deliver(List<Delivery> deliveries);

  /**
   * Delivers like {@link #deliver(List)} and reports which recipients had no route at the lookup, i.e. no open
   * authenticated connection anywhere: they received nothing. What offline push is decided on (docs/protocol.md §4,
   * Offline push). An implementation that cannot tell reports nobody.
   */
  default Future<Set<String>> deliverReportingOffline(List<Delivery> deliveries) {
    return deliver(deliveries).map(Set.of());
  }

  default Future<Void> deliver(Delivery delivery) {
    return deliver(List.of(delivery));
  }
}
