package im.server.api;

import io.vertx.ext.web.Router;

/**
 * A set of HTTP routes that {@link HttpVerticle} adds to the node's router: the API, the operators' API. Mounts are
 * stateless, so one instance serves every HTTP verticle instance of the node.
 */
@FunctionalInterface
public interface RouteMount {

  /** Adds the routes to {@code root}; called once per HTTP verticle instance, on its context. */
  void mount(Router root);
}
