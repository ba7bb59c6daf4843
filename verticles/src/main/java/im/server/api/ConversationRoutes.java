package im.server.api;

import im.protocol.ImException;
import im.shared.message.ReadService;
import im.shared.store.ConversationStore;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.LinkedHashMap;
import java.util.Map;

/** Conversation list, history (of a whole conversation or of one thread), sync, read and mute (docs/protocol.md §4). Handlers run on the request's event loop. */
final class ConversationRoutes {

  /** More named conversations than any client holds; bounds the work of one sync. */
  static final int MAX_SYNC_CONVS = 5000;

  private final ConversationStore conversations;
  private final ReadService reads;

  ConversationRoutes(ConversationStore conversations, ReadService reads) {
    this.conversations = conversations;
    this.reads = reads;
  }

  void list(RoutingContext ctx) {
    conversations.list(BearerAuth.uid(ctx)).onSuccess(list -> Replies.ok(ctx, list)).onFailure(ctx::fail);
  }

  void history(RoutingContext ctx) {
    Long before = RequestJson.queryLong(ctx, "before");
    Long after = RequestJson.queryLong(ctx, "after");
    int limit = RequestJson.limit(RequestJson.queryLong(ctx, "limit"),
        ConversationStore.DEFAULT_HISTORY_LIMIT, ConversationStore.MAX_HISTORY_LIMIT);
    Long thread = RequestJson.queryLong(ctx, "thread");
    if (thread != null && thread < 1) {
      throw ImException.badRequest("thread must be a seq of 1 or more");
    }
    String uid = BearerAuth.uid(ctx);
    String conv = ctx.pathParam("conv");
    (thread == null
        ? conversations.history(uid, conv, before, after, limit)
        : conversations.thread(uid, conv, thread, before, after, limit))
        .onSuccess(page -> Replies.ok(ctx, page))
        .onFailure(ctx::fail);
  }

  void sync(RoutingContext ctx) {
    JsonObject body = RequestJson.body(ctx);
    JsonArray asked = RequestJson.array(body, "convs");
    if (asked.size() > MAX_SYNC_CONVS) {
      throw ImException.badRequest("at most " + MAX_SYNC_CONVS + " convs per sync");
    }
    Map<String, Long> named = new LinkedHashMap<>();
    for (Object item : asked) {
      if (!(item instanceof JsonObject entry)) {
        throw ImException.badRequest("convs must hold {conv, seq} objects");
      }
      String conv = RequestJson.string(entry, "conv", true);
      Long seq = RequestJson.integer(entry, "seq", false);
      long from = seq == null ? 0 : seq;
      if (from < 0) {
        throw ImException.badRequest("seq must be 0 or more");
      }
      // Asked twice: serve from the lower seq, so the client misses nothing.
      named.merge(conv, from, Math::min);
    }
    boolean all = RequestJson.bool(body, "all", false);
    int limit = RequestJson.limit(RequestJson.integer(body, "limit", false),
        ConversationStore.DEFAULT_SYNC_LIMIT, ConversationStore.MAX_SYNC_LIMIT);
    conversations.sync(BearerAuth.uid(ctx), named, all, limit)
        .onSuccess(reply -> Replies.ok(ctx, reply))
        .onFailure(ctx::fail);
  }

  void mute(RoutingContext ctx) {
    JsonObject body = RequestJson.body(ctx);
    if (!(body.getValue("muted") instanceof Boolean muted)) {
      throw ImException.badRequest("muted must be true or false");
    }
    conversations.mute(BearerAuth.uid(ctx), ctx.pathParam("conv"), muted)
        .onSuccess(done -> Replies.noContent(ctx))
        .onFailure(ctx::fail);
  }

  void read(RoutingContext ctx) {
    long seq = RequestJson.integer(RequestJson.body(ctx), "seq", true);
    reads.markRead(BearerAuth.uid(ctx), ctx.pathParam("conv"), seq, null)
        .onSuccess(done -> Replies.noContent(ctx))
        .onFailure(ctx::fail);
  }
}
