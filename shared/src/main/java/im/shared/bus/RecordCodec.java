package im.shared.bus;

import im.shared.bus.delivery.DeliverEvent;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageCodec;
import io.vertx.core.json.JsonObject;

import java.util.function.Function;

/**
 * Carries a bus record to a consumer on the same node as the very instance sent.
 *
 * <p>Why: a {@code JsonObject} body is deep-copied for every local consumer. The fan-out's events hold every message
 * of a group-commit batch, and that copy was the largest allocation of the send path (docs/architecture.md,
 * "Performance"). The records sent this way, and the JSON bodies they hold, are never changed once sent: senders
 * build them fresh and receivers only read them. Senders give other nodes the record's JSON instead, which nodes of
 * another version read too; should a record still cross to another node, it travels as that JSON.
 *
 * @param fromJson returns null for JSON the receiver cannot read; the consumer then gets a null body
 */
public final class RecordCodec<T> implements MessageCodec<T, T> {

  private final String name;
  private final Function<T, JsonObject> toJson;
  private final Function<JsonObject, T> fromJson;

  RecordCodec(Class<T> type, Function<T, JsonObject> toJson, Function<JsonObject, T> fromJson) {
    this.name = "im.record." + type.getSimpleName();
    this.toJson = toJson;
    this.fromJson = fromJson;
  }

  /** Registers the codecs of the records sent by type rather than as JSON, before sending; again is harmless. */
  public static void register(Vertx vertx) {
    EventBus bus = vertx.eventBus();
    register(bus, DeliverEvent.class, DeliverEvent::toJson, DeliverEvent::fromJson);
  }

  private static <T> void register(EventBus bus, Class<T> type, Function<T, JsonObject> toJson,
                                   Function<JsonObject, T> fromJson) {
    bus.unregisterDefaultCodec(type);
    bus.registerDefaultCodec(type, new RecordCodec<>(type, toJson, fromJson));
  }

  @Override
  public void encodeToWire(Buffer buffer, T record) {
    Buffer json = toJson.apply(record).toBuffer();
    buffer.appendInt(json.length());
    buffer.appendBuffer(json);
  }

  @Override
  public T decodeFromWire(int pos, Buffer buffer) {
    int length = buffer.getInt(pos);
    return fromJson.apply(new JsonObject(buffer.slice(pos + 4, pos + 4 + length)));
  }

  @Override
  public T transform(T record) {
    return record;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public byte systemCodecID() {
    return -1;
  }
}
