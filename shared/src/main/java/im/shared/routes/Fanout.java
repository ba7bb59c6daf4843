package im.shared.routes;

import io.vertx.core.Future;

import java.util.List;

/**
 * Delivers frames to users wherever they are connected: one routes lookup for all recipients of the
 * batch, then one {@code deliver} event per node that has any of them. Offline users cost nothing.
 * Delivery is best effort: the future fails only when the routes could not be read.
 */
public interface Fanout {

  Future<Void> deliver(List<Delivery> deliveries);

  default Future<Void> deliver(Delivery delivery) {
    return deliver(List.of(delivery));
  }
}
