package im.shared.bus;

import im.protocol.ErrorCode;
import im.protocol.ImException;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.junit.jupiter.api.Assertions.assertEquals;

@ExtendWith(VertxExtension.class)
class BusErrorsTest {

  @Test
  void everyCodeCrossesTheBusByItsWireName(Vertx vertx, VertxTestContext test) {
    vertx.eventBus().<String>consumer("bus-errors-test", message ->
        BusErrors.fail(message, new ImException(ErrorCode.fromWireName(message.body()), "because " + message.body())));
    var checkpoint = test.checkpoint(ErrorCode.values().length);
    for (ErrorCode code : ErrorCode.values()) {
      vertx.eventBus().request("bus-errors-test", code.wireName()).onComplete(test.failing(failure -> test.verify(() -> {
        ImException error = BusErrors.toImException(failure);
        assertEquals(code, error.code());
        assertEquals("because " + code.wireName(), error.getMessage());
        checkpoint.flag();
      })));
    }
  }

  @Test
  void aNameThisNodeDoesNotKnowReadsAsInternalWithItsText() {
    ImException error = BusErrors.decode("payment_required pay first");
    assertEquals(ErrorCode.INTERNAL, error.code());
    assertEquals("pay first", error.getMessage());
  }

  @Test
  void theFailureTextStartsWithTheWireNameNotAnOrdinal() {
    assertEquals("not_member not a member of g:x", BusErrors.encode(ImException.notMember("not a member of g:x")));
  }

  @Test
  void nobodyAnsweringIsUnavailable(Vertx vertx, VertxTestContext test) {
    vertx.eventBus().request("bus-errors-test-nobody", "x").onComplete(test.failing(failure -> test.verify(() -> {
      assertEquals(ErrorCode.UNAVAILABLE, BusErrors.toImException(failure).code());
      test.completeNow();
    })));
  }
}
