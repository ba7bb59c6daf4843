package im.server;

import im.protocol.ImException;
import io.vertx.core.Deployable;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;

/**
 * The verticles of one node by kind. Every instance is a deployment of its own, so that a kind can grow or
 * shrink one instance at a time at run time ({@code POST /admin/verticles/{name}/scale}) while the other
 * instances, and the connections they serve, stay untouched.
 *
 * <p>Threading: callable from any thread. Changes to one kind run one after another (a future chain per
 * kind), so two scale requests never interleave their deploys and undeploys.
 */
final class Deployments {

  private static final Logger LOG = LoggerFactory.getLogger(Deployments.class);

  /** The most instances of one kind an operator may ask for. */
  static final int MAX_INSTANCES = 64;

  /** Creates the instance with the given index (0-based; message owners address each other by it). */
  @FunctionalInterface
  interface Factory {
    Deployable create(int index);
  }

  private static final class Kind {
    final String name;
    final Factory factory;
    final boolean scalable;
    /** Told the new count: after the deploys when growing, before the undeploys when shrinking. */
    final IntConsumer onCount;
    final List<String> ids = new ArrayList<>();
    Future<Void> tail = Future.succeededFuture();

    Kind(String name, Factory factory, boolean scalable, IntConsumer onCount) {
      this.name = name;
      this.factory = factory;
      this.scalable = scalable;
      this.onCount = onCount;
    }
  }

  private final Vertx vertx;
  private final Map<String, Kind> kinds = new LinkedHashMap<>();

  Deployments(Vertx vertx) {
    this.vertx = vertx;
  }

  /** Deploys a kind that runs once per node and cannot be scaled. */
  Future<Void> single(String name, Factory factory) {
    return add(name, factory, 1, false, count -> { });
  }

  /** Deploys {@code instances} of a kind that operators may scale; {@code onCount} hears every new count. */
  Future<Void> scalable(String name, Factory factory, int instances, IntConsumer onCount) {
    return add(name, factory, instances, true, onCount);
  }

  private Future<Void> add(String name, Factory factory, int instances, boolean scalable, IntConsumer onCount) {
    Kind kind = new Kind(name, factory, scalable, onCount);
    synchronized (kinds) {
      if (kinds.putIfAbsent(name, kind) != null) {
        throw new IllegalStateException("verticle kind " + name + " deployed twice");
      }
    }
    return change(kind, instances);
  }

  /**
   * Sets the instance count of a scalable kind.
   *
   * @return the count now running; fails with {@code not_found} for an unknown kind, {@code bad_request} for a
   *     kind that runs once per node or a count outside 1..{@value #MAX_INSTANCES}
   */
  Future<Integer> scale(String name, int instances) {
    Kind kind;
    synchronized (kinds) {
      kind = kinds.get(name);
    }
    if (kind == null) {
      return Future.failedFuture(ImException.notFound("no verticle kind " + name + "; scalable kinds: " + scalableNames()));
    }
    if (!kind.scalable) {
      return Future.failedFuture(ImException.badRequest(name + " runs once per node and cannot be scaled"));
    }
    if (instances < 1 || instances > MAX_INSTANCES) {
      return Future.failedFuture(ImException.badRequest("instances must be 1.." + MAX_INSTANCES + ", got " + instances));
    }
    return change(kind, instances).map(v -> count(kind));
  }

  private Future<Void> change(Kind kind, int target) {
    synchronized (kind) {
      kind.tail = kind.tail.transform(previous -> resize(kind, target));
      return kind.tail;
    }
  }

  private Future<Void> resize(Kind kind, int target) {
    int current = count(kind);
    if (target > current) {
      Future<Void> grown = Future.succeededFuture();
      for (int i = current; i < target; i++) {
        int index = i;
        grown = grown.compose(v -> vertx.deployVerticle(() -> kind.factory.create(index), new DeploymentOptions().setInstances(1))
            .map(id -> {
              synchronized (kind) {
                kind.ids.add(id);
              }
              return null;
            }));
      }
      return grown.onComplete(done -> kind.onCount.accept(count(kind)))
          .onSuccess(v -> logScaled(kind, current));
    }
    if (target < current) {
      kind.onCount.accept(target);
      Future<Void> shrunk = Future.succeededFuture();
      for (int i = current - 1; i >= target; i--) {
        shrunk = shrunk.compose(v -> undeployLast(kind));
      }
      return shrunk.onSuccess(v -> logScaled(kind, current));
    }
    return Future.succeededFuture();
  }

  private void logScaled(Kind kind, int before) {
    if (kind.scalable) {
      LOG.info("verticle {}: {} -> {} instances", kind.name, before, count(kind));
    }
  }

  /** The newest instance goes first, so message owner indexes stay 0..n-1. */
  private Future<Void> undeployLast(Kind kind) {
    String id;
    synchronized (kind) {
      if (kind.ids.isEmpty()) {
        return Future.succeededFuture();
      }
      id = kind.ids.remove(kind.ids.size() - 1);
    }
    return vertx.undeploy(id);
  }

  private static int count(Kind kind) {
    synchronized (kind) {
      return kind.ids.size();
    }
  }

  /** Kind name → running instances, in deployment order. */
  Map<String, Integer> counts() {
    Map<String, Integer> counts = new LinkedHashMap<>();
    synchronized (kinds) {
      kinds.values().forEach(kind -> counts.put(kind.name, count(kind)));
    }
    return counts;
  }

  private String scalableNames() {
    synchronized (kinds) {
      return String.join(", ", kinds.values().stream().filter(k -> k.scalable).map(k -> k.name).toList());
    }
  }

  /** Undeploys the named kinds in this order, each after any scaling under way; all instances of a kind at once. */
  Future<Void> undeploy(List<String> names) {
    Future<Void> done = Future.succeededFuture();
    for (String name : names) {
      done = done.eventually(() -> undeployKind(name));
    }
    return done;
  }

  private Future<Void> undeployKind(String name) {
    Kind kind;
    synchronized (kinds) {
      kind = kinds.get(name);
    }
    if (kind == null) {
      return Future.succeededFuture();
    }
    synchronized (kind) {
      kind.tail = kind.tail.transform(previous -> {
        List<String> ids;
        synchronized (kind) {
          ids = List.copyOf(kind.ids);
          kind.ids.clear();
        }
        return Future.join(ids.stream().map(vertx::undeploy).toList()).mapEmpty();
      });
      return kind.tail;
    }
  }
}
