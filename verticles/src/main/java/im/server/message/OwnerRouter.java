package im.server.message;

import im.protocol.ErrorCode;
import im.protocol.ImException;
import im.server.user.SendPolicy;
import im.shared.bus.Addresses;
import im.shared.cluster.PartitionOwners;
import im.shared.bus.BusErrors;
import im.shared.bus.message.Ack;
import im.shared.bus.message.CallCommand;
import im.shared.bus.message.GroupCommand;
import im.shared.bus.message.OwnerCommand;
import im.shared.bus.message.RecallCommand;
import im.shared.bus.message.RoomLookup;
import im.shared.bus.message.SendCommand;
import im.shared.bus.message.TypingCommand;
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
  private final PartitionOwners ownership;
  private final IntSupplier localInstances;
  private final DeliveryOptions options;
  private final SendPolicy policy;

  public OwnerRouter(Vertx vertx, String nodeId, PartitionOwners ownership, IntSupplier localInstances, long timeoutMs,
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
  public Future<Ack> send(SendCommand command) {
    // Blocks and friendship are judged here, from a node-local cache, before the owner sees the send.
    return policy.check(command.from(), command.conv()).compose(allowed -> route(command)).map(Ack::fromJson);
  }

  @Override
  public Future<Void> recall(RecallCommand command) {
    return route(command).mapEmpty();
  }

  @Override
  public Future<Void> changeGroup(GroupCommand command) {
    return route(command).mapEmpty();
  }

  /**
   * Typing is not delivered across a block (docs/protocol.md §3, Typing): where the send policy would refuse a
   * message, the typing is dropped without a word, as a throttled one is, so it tells the typist nothing new.
   */
  @Override
  public Future<Void> typing(TypingCommand command) {
    return policy.check(command.from(), command.conv())
        .compose(allowed -> route(command).<Void>mapEmpty(), refused -> silentlyDropped(refused));
  }

  private static Future<Void> silentlyDropped(Throwable refused) {
    ImException refusal = ImException.of(refused);
    return refusal.code() == ErrorCode.BLOCKED || refusal.code() == ErrorCode.NOT_FRIENDS
        ? Future.succeededFuture()
        : Future.failedFuture(refusal);
  }

  /** An invite is refused across a block, as a send would be; the later steps of a call are the owner's to judge. */
  @Override
  public Future<Void> call(CallCommand command) {
    Future<Void> allowed = CallCommand.INVITE.equals(command.action())
        ? policy.check(command.from(), command.conv())
        : Future.succeededFuture();
    return allowed.compose(ok -> route(command)).mapEmpty();
  }

  @Override
  public Future<Void> requireRoom(String conv) {
    return route(new RoomLookup(conv)).mapEmpty();
  }

  private Future<JsonObject> route(OwnerCommand command) {
    String conv = command.conv();
    String owner = ownership.ownerOf(conv);
    String address = owner == null || owner.equals(nodeId)
        ? Addresses.messageInstance(instanceOf(conv, localInstances.getAsInt()))
        : Addresses.nodeOwner(owner);
    return vertx.eventBus().<JsonObject>request(address, command.toJson(), options)
        .map(Message::body)
        .recover(failure -> Future.failedFuture(BusErrors.toImException(failure)));
  }
}
