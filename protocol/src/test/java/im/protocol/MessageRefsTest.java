package im.protocol;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

class MessageRefsTest {

  @Test
  void aSendWithoutReferencesNamesNothing() {
    MessageRefs refs = MessageRefs.of(new JsonObject().put("cmid", "c"));
    assertEquals(MessageRefs.NONE, refs);
    assertFalse(refs.any());
    assertEquals(new JsonObject(), refs.putInto(new JsonObject()));
  }

  @Test
  void aReplyOrACommentNamesOneSeq() {
    assertEquals(new MessageRefs(3L, null), MessageRefs.of(new JsonObject().put("replyTo", 3)));
    assertEquals(new MessageRefs(null, 9L), MessageRefs.of(new JsonObject().put("thread", 9.0)));
    assertEquals(9L, MessageRefs.of(new JsonObject().put("thread", 9)).target());
    assertEquals(new JsonObject().put("replyTo", 3L), new MessageRefs(3L, null).putInto(new JsonObject()));
  }

  @Test
  void bothOrAnythingButASeqOfOneOrMoreIsABadRequest() {
    for (JsonObject bad : new JsonObject[] {
        new JsonObject().put("replyTo", 1).put("thread", 2),
        new JsonObject().put("replyTo", 0),
        new JsonObject().put("thread", -4),
        new JsonObject().put("replyTo", "3"),
        new JsonObject().put("thread", 1.5),
        new JsonObject().put("replyTo", new JsonObject())}) {
      ImException refused = assertThrows(ImException.class, () -> MessageRefs.of(bad), bad.encode());
      assertEquals(ErrorCode.BAD_REQUEST, refused.code());
    }
  }
}
