package im.server.message;

import im.shared.bus.Addresses;
import im.shared.bus.BusErrors;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;

import java.util.function.IntSupplier;

/**
 * This node's entry for commands routed from other nodes ({@link Addresses#nodeOwner}): passes each to
 * the local instance that owns its conversation. One per node, so the clustered address never round-robins.
 */
public final class OwnerDispatchVerticle extends VerticleBase {

  private final String nodeId;
  private final IntSupplier localInstances;
  private final DeliveryOptions options;
  private MessageConsumer<JsonObject> consumer;

  public OwnerDispatchVerticle(String nodeId, IntSupplier localInstances, long timeoutMs) {
    this.nodeId = nodeId;
    this.localInstances = localInstances;
    this.options = new DeliveryOptions().setSendTimeout(timeoutMs);
  }

  @Override
  public Future<?> start() {
    consumer = vertx.eventBus().consumer(Addresses.nodeOwner(nodeId), this::dispatch);
    return consumer.completion();
  }

  private void dispatch(Message<JsonObject> command) {
    int instance = OwnerRouter.instanceOf(command.body().getString("conv"), localInstances.getAsInt());
    vertx.eventBus().<JsonObject>request(Addresses.messageInstance(instance), command.body(), options)
        .onSuccess(reply -> command.reply(reply.body()))
        .onFailure(failure -> BusErrors.fail(command, BusErrors.toImException(failure)));
  }
}
