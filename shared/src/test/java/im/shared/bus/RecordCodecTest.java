package im.shared.bus;

import im.protocol.Op;
import im.shared.bus.delivery.DeliverEvent;
import im.shared.bus.delivery.DeliverItem;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

/** Records reach a consumer on the same node uncopied, and another node as their JSON. */
@ExtendWith(VertxExtension.class)
class RecordCodecTest {

  private static final DeliverEvent EVENT = new DeliverEvent(List.of(
      DeliverItem.of(List.of("a", "b"), Op.MSG, new JsonObject().put("conv", "g:1").put("seq", 3), "c1")));

  @Test
  void aLocalConsumerGetsTheInstanceSent(Vertx vertx, VertxTestContext test) {
    RecordCodec.register(vertx);
    RecordCodec.register(vertx);
    vertx.eventBus().<DeliverEvent>consumer("record-codec-test", message -> test.verify(() -> {
      assertSame(EVENT, message.body());
      test.completeNow();
    })).completion().onSuccess(v -> vertx.eventBus().send("record-codec-test", EVENT));
  }

  @Test
  void theWireCarriesTheJsonAfterWhateverPrecedesIt() {
    RecordCodec<DeliverEvent> codec = new RecordCodec<>(DeliverEvent.class, DeliverEvent::toJson, DeliverEvent::fromJson);
    Buffer wire = Buffer.buffer().appendString("header");
    codec.encodeToWire(wire, EVENT);
    assertEquals(EVENT, codec.decodeFromWire("header".length(), wire));
  }

  @Test
  void jsonTheReceiverCannotReadArrivesAsNull() {
    RecordCodec<DeliverEvent> codec = new RecordCodec<>(DeliverEvent.class, DeliverEvent::toJson, DeliverEvent::fromJson);
    Buffer json = new JsonObject().put("unknown", 1).toBuffer();
    assertNull(codec.decodeFromWire(0, Buffer.buffer().appendInt(json.length()).appendBuffer(json)));
  }
}
