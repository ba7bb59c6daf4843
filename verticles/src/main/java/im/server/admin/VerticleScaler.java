package im.server.admin;

import io.vertx.core.Future;

import java.util.Map;

/** The node's verticle instances as operators see them. Implementations are callable from any thread. */
public interface VerticleScaler {

  /** Kind name ({@code http}, {@code tcp}, {@code message}, ...) → running instances. */
  Map<String, Integer> counts();

  /**
   * Sets the instance count of one kind at run time, one instance deployed or undeployed at a time.
   *
   * @return the count now running; fails with {@code ImException} {@code not_found} for an unknown kind and
   *     {@code bad_request} for a kind that cannot be scaled or a count out of range
   */
  Future<Integer> scale(String kind, int instances);
}
