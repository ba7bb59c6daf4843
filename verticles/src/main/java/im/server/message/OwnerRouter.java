package im.server.message;

import im.server.user.SendPolicy;
import im.shared.bus.Addresses;
import im.shared.bus.BusErrors;
import im.shared.bus.Events;
import im.shared.message.MessageService;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;

import java.util.function.IntSupplier;

/**
 * {@link MessageService} for gateways and the HTTP API: sends each command to its conversation's owner,
 * straight to the owning local instance when this node owns it, else to the owner node's dispatcher.
 */
public final class OwnerRouter implements MessageService {

  private final Vertx vertx;
  private final String nodeId;
  private final ConvOwnership ownership;
  private final IntSupplier localInstances;
  private final DeliveryOptions options;
  private final SendPolicy policy;

  public OwnerRouter(Vertx vertx, String nodeId, ConvOwnership ownership, IntSupplier localInstances, long timeoutMs,
                     SendPolicy policy) {
    this.vertx = vertx;
    this.policy = policy;
    this.nodeId = nodeId;
    this.ownership = ownership;
    this.localInstances = localInstances;
    this.options = new DeliveryOptions().setSendTimeout(timeoutMs);
  }

  /** The local message-verticle instance that owns {@code conv} among {@code instances}. */
  public static int instanceOf(String conv, int instances) {
    return Math.floorMod(conv.hashCode(), instances);
  }

  @Override
  public Future<JsonObject> send(JsonObject command) {
    // Blocks and friendship are judged here, from a node-local cache, before the owner sees the send.
    return policy.check(command.getString("from"), command.getString("conv")).compose(allowed -> route(command));
  }

  @Override
  public Future<Void> recall(String uid, String conv, long seq, String connId) {
    return route(Events.recall(conv, seq, uid, connId)).mapEmpty();
  }

  @Override
  public Future<JsonObject> command(JsonObject command) {
    return route(command);
  }

  private Future<JsonObject> route(JsonObject command) {
    String conv = command.getString("conv");
    String owner = ownership.ownerOf(conv);
    String address = owner == null || owner.equals(nodeId)
        ? Addresses.messageInstance(instanceOf(conv, localInstances.getAsInt()))
        : Addresses.nodeOwner(owner);
    return vertx.eventBus().<JsonObject>request(address, command, options)
        .map(Message::body)
        .recover(failure -> Future.failedFuture(BusErrors.toImException(failure)));
  }
}
