package im.server.admin;

import im.protocol.ImException;
import im.shared.bus.Addresses;
import im.shared.bus.BusErrors;
import im.shared.bus.admin.AdminCommand;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.function.Supplier;

/**
 * The cluster-wide side of the operators API: sends each command to the {@link NodeAdminVerticle} of the
 * members concerned, in parallel, each with a deadline, so one dead or stuck member delays an answer by at
 * most that deadline and never fails it. Stateless; callable from any thread.
 */
public final class ClusterAdmin {

  private final Vertx vertx;
  private final Supplier<List<String>> members;
  private final DeliveryOptions quick;
  private final DeliveryOptions slow;

  /**
   * @param members the node ids of the current cluster members (a local read of the membership list)
   * @param timeoutMs how long a member may take to answer a status or kick; a scale may take five times that
   */
  public ClusterAdmin(Vertx vertx, Supplier<List<String>> members, long timeoutMs) {
    this.vertx = vertx;
    this.members = members;
    this.quick = new DeliveryOptions().setSendTimeout(timeoutMs);
    this.slow = new DeliveryOptions().setSendTimeout(timeoutMs * 5);
  }

  /** One status per member; a member that did not answer is {@code {node, error}}. */
  public Future<List<JsonObject>> nodes() {
    List<Future<JsonObject>> answers = members.get().stream()
        .map(node -> ask(node, new AdminCommand.Status(), quick)
            .otherwise(failure -> new JsonObject().put("node", node).put("error", describe(failure))))
        .toList();
    return Future.all(answers).map(all -> answers.stream().map(Future::result).toList());
  }

  /** Scales a verticle kind on one member; {@code not_found} when no member has that node id. */
  public Future<JsonObject> scale(String node, String verticle, int instances) {
    if (!members.get().contains(node)) {
      return Future.failedFuture(ImException.notFound("no cluster member " + node));
    }
    return ask(node, new AdminCommand.Scale(verticle, instances), slow);
  }

  /** Kicks every connection of {@code uid} on every member; completes once each member answered or timed out. */
  public Future<Integer> kick(String uid) {
    List<Future<Integer>> kicked = members.get().stream()
        .map(node -> ask(node, new AdminCommand.Kick(uid), quick)
            .map(reply -> AdminCommand.Kicked.fromJson(reply).kicked())
            .otherwise(0))
        .toList();
    return Future.all(kicked).map(all -> kicked.stream().mapToInt(Future::result).sum());
  }

  private Future<JsonObject> ask(String node, AdminCommand command, DeliveryOptions options) {
    return vertx.eventBus().<JsonObject>request(Addresses.nodeAdmin(node), command.toJson(), options)
        .map(Message::body)
        .recover(failure -> Future.failedFuture(failure instanceof ReplyException reply
            && reply.failureType() != ReplyFailure.RECIPIENT_FAILURE
            ? ImException.unavailable("node " + node + " did not answer (" + reply.failureType() + ")")
            : BusErrors.toImException(failure)));
  }

  private static String describe(Throwable failure) {
    return String.valueOf(failure.getMessage());
  }
}
