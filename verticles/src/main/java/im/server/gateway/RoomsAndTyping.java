package im.server.gateway;

import im.shared.bus.message.TypingCommand;
import im.protocol.Conv;
import im.protocol.ErrorCode;
import im.protocol.ImException;
import im.protocol.Op;
import im.protocol.Validation;
import im.shared.bus.Addresses;
import im.shared.bus.delivery.RoomDeliverEvent;
import im.shared.bus.delivery.RoomDeliverItem;
import io.vertx.core.json.JsonObject;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The chat rooms one connection has joined ({@code join}/{@code leave}, docs/protocol.md §3) and its
 * {@code typing}: room typing goes straight to every node, the rest through the conversation's owner, which
 * knows the members. At most one {@code typing} per {@code typing.minIntervalMs} per conversation is forwarded;
 * faster ones are dropped without a word.
 *
 * <p>Threading: the connection's context only, like its {@link ClientSession}.
 */
final class RoomsAndTyping {

  /** Rooms one connection may be in at once: bounds what one client can make every node keep. */
  private static final int MAX_ROOMS = 100;
  /** Past this many conversations with a typing mark, expired marks are dropped. */
  private static final int MAX_TYPING_CONVS = 64;

  private final ClientSession session;
  private final GatewayServices services;
  private final Downlink downlink;
  private final long typingIntervalMs;
  /** The chat rooms this connection has joined; null until the first join. */
  private Set<String> rooms;
  /** conv → when this connection's last {@code typing} there was forwarded; null until the first. */
  private Map<String, Long> typingSentMs;

  private final TokenBucket sendRate;

  RoomsAndTyping(ClientSession session, GatewayServices services, Downlink downlink, long typingIntervalMs,
                 TokenBucket sendRate) {
    this.sendRate = sendRate;
    this.session = session;
    this.services = services;
    this.downlink = downlink;
    this.typingIntervalMs = typingIntervalMs;
  }

  boolean joined(String conv) {
    return rooms != null && rooms.contains(conv);
  }

  /** Enters a chat room: its messages reach this connection until {@code leave} or close. */
  void join(JsonObject body) {
    Object id = Validation.requestId(body);
    String conv = requireRoom(body);
    // A join asks the room's owner: it shares the connection's send budget.
    sendRate.take("joins");
    session.reply(id, services.messages().requireRoom(conv), found -> {
      if (!session.isSignedIn()) {
        return;
      }
      if (rooms == null) {
        rooms = new HashSet<>(4);
      }
      if (rooms.size() >= MAX_ROOMS && !rooms.contains(conv)) {
        downlink.error(id, new ImException(ErrorCode.CONFLICT, "a connection joins at most " + MAX_ROOMS + " rooms"));
        return;
      }
      rooms.add(conv);
      services.sessions().rooms().join(conv, session);
      downlink.ok(id);
    });
  }

  void leave(JsonObject body) {
    Object id = Validation.requestId(body);
    String conv = requireRoom(body);
    if (rooms != null && rooms.remove(conv)) {
      services.sessions().rooms().leave(conv, session);
    }
    downlink.ok(id);
  }

  /** The connection closed: it leaves every room. */
  void leaveAll() {
    if (rooms != null) {
      rooms.forEach(conv -> services.sessions().rooms().leave(conv, session));
      rooms = null;
    }
  }

  void typing(JsonObject body) {
    Object id = Validation.requestId(body);
    String conv = ClientSession.requireConv(Validation.optionalString(body, "conv"));
    boolean room = Conv.typeOf(conv) == Conv.Type.ROOM;
    if (room && !joined(conv)) {
      throw ImException.notMember("join the room first");
    }
    if (!typingAllowed(conv)) {
      downlink.okIfAsked(id);
      return;
    }
    if (room) {
      JsonObject typing = new JsonObject().put("conv", conv).put("uid", session.uid());
      RoomDeliverItem item = RoomDeliverItem.of(conv, Op.TYPING, typing, null, session.uid());
      session.context().owner().eventBus().publish(Addresses.ROOMS_DELIVER, RoomDeliverEvent.of(item).toJson());
      downlink.okIfAsked(id);
      return;
    }
    session.reply(id, services.messages().typing(new TypingCommand(conv, session.uid(), session.connId())));
  }

  private boolean typingAllowed(String conv) {
    long now = ResendWheel.nowMs();
    if (typingSentMs == null) {
      typingSentMs = new HashMap<>(4);
    } else if (typingSentMs.size() > MAX_TYPING_CONVS) {
      typingSentMs.values().removeIf(sent -> now - sent >= typingIntervalMs);
    }
    Long last = typingSentMs.get(conv);
    if (last != null && now - last < typingIntervalMs) {
      return false;
    }
    typingSentMs.put(conv, now);
    return true;
  }

  private static String requireRoom(JsonObject body) {
    String conv = ClientSession.requireConv(Validation.optionalString(body, "conv"));
    if (Conv.typeOf(conv) != Conv.Type.ROOM) {
      throw ImException.badRequest("join and leave are for chat rooms (r:) only");
    }
    return conv;
  }
}
