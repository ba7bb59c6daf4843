package im.shared.bus;

import im.protocol.Op;
import im.shared.bus.delivery.DeliverEvent;
import im.shared.bus.delivery.DeliverItem;
import im.shared.bus.delivery.RoomDeliverEvent;
import im.shared.bus.delivery.RoomDeliverItem;
import im.shared.bus.session.KickDevice;
import im.shared.bus.session.KickUser;
import im.shared.bus.session.ListSessions;
import im.shared.bus.session.SessionCommand;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The typed bus records read and write the JSON that nodes of the previous version exchange. */
class BusRecordsWireTest {

  private static final JsonObject BODY = new JsonObject().put("conv", "g:1").put("seq", 3);

  @Test
  void deliverEventIsTheJsonOfThePreviousVersion() {
    JsonObject previous = new JsonObject().put("items", new JsonArray().add(new JsonObject()
        .put("uids", new JsonArray().add("a").add("b")).put("skip", "c1").put("t", "msg").put("body", BODY)));
    JsonObject typed = new DeliverEvent(List.of(DeliverItem.of(List.of("a", "b"), Op.MSG, BODY, "c1"))).toJson();
    assertEquals(previous, typed);
    assertEquals(typed, DeliverEvent.fromJson(previous).toJson());
  }

  @Test
  void anItemBoundToDevicesReachesOnlyThoseAndSurvivesTheWire() {
    DeliverItem item = DeliverItem.toDevices("u1", List.of("phone"), Op.CALL, BODY);
    DeliverItem read = DeliverEvent.fromJson(new DeliverEvent(List.of(item)).toJson()).items().get(0);
    assertEquals(item, read);
    assertTrue(read.reaches("phone"));
    assertFalse(read.reaches("laptop"));
    assertTrue(DeliverItem.of(List.of("u1"), Op.MSG, BODY, null).reaches("laptop"), "an item without devices reaches all");
  }

  @Test
  void roomItemsReadThePreviousShapeAndSkipNothingByDefault() {
    JsonObject previous = new JsonObject().put("conv", "r:x").put("skipUid", "u1").put("t", "typing").put("body", BODY);
    RoomDeliverItem item = RoomDeliverEvent.fromJson(new JsonObject().put("items", new JsonArray().add(previous)))
        .items().get(0);
    assertEquals(RoomDeliverItem.of("r:x", Op.TYPING, BODY, null, "u1"), item);
    JsonObject written = RoomDeliverEvent.of(item).toJson().getJsonArray("items").getJsonObject(0);
    assertEquals("r:x", written.getString("conv"));
    assertEquals("u1", written.getString("skipUid"));
    assertEquals("typing", written.getString("t"));
    assertNull(written.getString("skip"));
  }

  @Test
  void anItemOfAnUnknownOpIsNotWellFormed() {
    JsonObject item = new JsonObject().put("uids", new JsonArray().add("a")).put("t", "from_the_future")
        .put("body", BODY);
    assertFalse(DeliverItem.fromJson(item).wellFormed());
    assertNull(DeliverEvent.fromJson(new JsonObject()));
  }

  @Test
  void sessionCommandsKeepTheirOpsAndFields() {
    assertEquals(new JsonObject().put("op", "list").put("uid", "u"), new ListSessions("u").toJson());
    JsonObject kick = new JsonObject().put("op", "kick").put("uid", "u").put("device", "d").put("since", 5L)
        .put("reason", "replaced");
    assertEquals(kick, new KickDevice("u", "d", 5, "replaced").toJson());
    assertEquals(new KickUser("u", "admin"), SessionCommand.fromJson(new KickUser("u", "admin").toJson()));
    assertNull(SessionCommand.fromJson(new JsonObject().put("op", "unknown")));
    JsonObject reply = new JsonObject()
        .put("sessions", new JsonArray().add(new JsonObject().put("device", "d").put("since", 7L)));
    assertEquals(List.of(new ListSessions.Held("d", 7)), ListSessions.Reply.fromJson(reply).sessions());
    assertEquals(reply, ListSessions.Reply.fromJson(reply).toJson());
  }
}
