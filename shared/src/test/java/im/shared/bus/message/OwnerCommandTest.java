package im.shared.bus.message;

import im.protocol.ErrorCode;
import im.protocol.ImException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class OwnerCommandTest {

  @Test
  void everyCommandReadsBackWhatItWrote() {
    List<OwnerCommand> commands = List.of(
        new SendCommand("p:a:b", "a", "phone", "conn-1", "c1", "text", new JsonObject().put("text", "hi")),
        new SendCommand("g:x", "a", "phone", "conn-1", "c2", "text", new JsonObject().put("text", "re"), 3L, null),
        new SendCommand("g:x", "a", "phone", "conn-1", "c3", "text", new JsonObject().put("text", "comment"), null, 4L),
        new RecallCommand("g:x", 7, "a", null),
        new GroupCommand("g:x", "a", GroupCommand.Action.ADD, null, List.of("b", "c"), null),
        new GroupCommand("g:x", "a", GroupCommand.Action.ADMIN_REMOVE, null, List.of(), "b"),
        new TypingCommand("g:x", "a", "conn-2"),
        new RoomLookup("r:y"));
    for (OwnerCommand command : commands) {
      assertEquals(command, OwnerCommand.fromJson(command.toJson()));
    }
  }

  @Test
  void fieldsANewerNodeAddsAreIgnored() {
    JsonObject json = new TypingCommand("g:x", "a", null).toJson().put("futureField", 1);
    assertEquals(new TypingCommand("g:x", "a", null), OwnerCommand.fromJson(json));
  }

  @Test
  void anUnknownTypeOrActionIsABadRequest() {
    ImException type = assertThrows(ImException.class, () -> OwnerCommand.fromJson(new JsonObject().put("type", "teleport")));
    assertEquals(ErrorCode.BAD_REQUEST, type.code());
    ImException action = assertThrows(ImException.class, () -> OwnerCommand.fromJson(
        new JsonObject().put("type", "group").put("conv", "g:x").put("action", "explode")));
    assertEquals(ErrorCode.BAD_REQUEST, action.code());
  }

  @Test
  void groupUidsMustBeUidStrings() {
    ImException error = assertThrows(ImException.class, () -> GroupCommand.uids(new JsonArray().add("a").add(7)));
    assertEquals(ErrorCode.BAD_REQUEST, error.code());
  }

  @Test
  void theAckFrameEchoesTheRequestIdFirst() {
    Ack ack = new Ack("c1", "p:a:b", 3, "m1", 10);
    assertEquals("{\"id\":\"r1\",\"cmid\":\"c1\",\"conv\":\"p:a:b\",\"seq\":3,\"mid\":\"m1\",\"ts\":10}", ack.toFrameBody("r1").encode());
    assertEquals(ack, Ack.fromJson(ack.toJson()));
  }
}
