package im.server.api;

import im.protocol.ImException;
import im.protocol.Op;
import im.protocol.Validation;
import im.shared.routes.Delivery;
import im.shared.routes.Fanout;
import im.shared.store.TodoStore;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Message to-dos over HTTP (docs/protocol.md §4): the store checks membership and does the SQL; this class reads the
 * requests and tells each newly assigned member other than the caller with {@code event todo_assigned {conv, seq, by}}
 * on their online devices. The event is best effort: an assignee who misses it sees the to-do in their list.
 * Handlers run on the request's event loop.
 */
public final class TodoRoutes {

  private static final Logger LOG = LoggerFactory.getLogger(TodoRoutes.class);
  public static final String TODO_ASSIGNED = "todo_assigned";

  private final TodoStore todos;
  private final Fanout fanout;

  public TodoRoutes(TodoStore todos, Fanout fanout) {
    this.todos = todos;
    this.fanout = fanout;
  }

  void mount(Router root, Handler<RoutingContext> json) {
    String todo = ApiRouter.API + "/conversations/:conv/messages/:seq/todo";
    root.put(todo).handler(json).handler(this::set);
    root.delete(todo).handler(this::remove);
    root.post(todo + "/done").handler(json).handler(this::done);
    root.get(ApiRouter.API + "/todos").handler(this::list);
  }

  private void set(RoutingContext ctx) {
    String uid = BearerAuth.uid(ctx);
    JsonObject body = RequestJson.body(ctx);
    List<String> assignees = assignees(body, uid);
    Long dueTs = Validation.optionalLong(body, "dueTs", 0, Long.MAX_VALUE);
    todos.set(uid, ctx.pathParam("conv"), seq(ctx), assignees, dueTs, System.currentTimeMillis())
        .onSuccess(assigned -> {
          LOG.info("to-do set conv={} seq={} by={} assignees={}", assigned.conv(), assigned.seq(), uid, assignees.size());
          tell(assigned);
          Replies.noContent(ctx);
        })
        .onFailure(ctx::fail);
  }

  private void remove(RoutingContext ctx) {
    todos.remove(BearerAuth.uid(ctx), ctx.pathParam("conv"), seq(ctx))
        .onSuccess(v -> Replies.noContent(ctx))
        .onFailure(ctx::fail);
  }

  private void done(RoutingContext ctx) {
    if (!(RequestJson.body(ctx).getValue("done") instanceof Boolean done)) {
      throw ImException.badRequest("done must be true or false");
    }
    todos.markDone(BearerAuth.uid(ctx), ctx.pathParam("conv"), seq(ctx), done)
        .onSuccess(v -> Replies.noContent(ctx))
        .onFailure(ctx::fail);
  }

  private void list(RoutingContext ctx) {
    String raw = ctx.request().getParam("done");
    Boolean done;
    if (raw == null) {
      done = null;
    } else if (raw.equals("true") || raw.equals("false")) {
      done = Boolean.valueOf(raw);
    } else {
      throw ImException.badRequest("done must be true or false");
    }
    int limit = RequestJson.limit(RequestJson.queryLong(ctx, "limit"), TodoStore.DEFAULT_LIST_LIMIT, TodoStore.MAX_LIST_LIMIT);
    todos.list(BearerAuth.uid(ctx), done, limit).onSuccess(list -> Replies.ok(ctx, list)).onFailure(ctx::fail);
  }

  /** The distinct uids of {@code assignees}, or the caller alone when absent. */
  private static List<String> assignees(JsonObject body, String caller) {
    Object value = body.getValue("assignees");
    if (value == null) {
      return List.of(caller);
    }
    if (!(value instanceof JsonArray array) || array.isEmpty() || array.size() > TodoStore.MAX_ASSIGNEES) {
      throw ImException.badRequest("assignees must be an array of 1 to " + TodoStore.MAX_ASSIGNEES + " uids");
    }
    Set<String> uids = new LinkedHashSet<>();
    for (Object uid : array) {
      if (!(uid instanceof String string) || string.isEmpty()) {
        throw ImException.badRequest("assignees must hold uids");
      }
      uids.add(Validation.text("assignees", string));
    }
    return new ArrayList<>(uids);
  }

  private static long seq(RoutingContext ctx) {
    try {
      long seq = Long.parseLong(ctx.pathParam("seq"));
      if (seq >= 1) {
        return seq;
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw ImException.badRequest("seq must be a whole number 1 or more");
  }

  private void tell(TodoStore.Assigned assigned) {
    List<String> others = assigned.newAssignees().stream().filter(uid -> !uid.equals(assigned.by())).toList();
    if (others.isEmpty()) {
      return;
    }
    JsonObject data = new JsonObject().put("conv", assigned.conv()).put("seq", assigned.seq()).put("by", assigned.by());
    fanout.deliver(new Delivery(others, Op.EVENT, new JsonObject().put("kind", TODO_ASSIGNED).put("data", data), null))
        .onFailure(e -> LOG.warn("event {} of conv={} seq={} not pushed: {}", TODO_ASSIGNED, assigned.conv(),
            assigned.seq(), e.getMessage()));
  }
}
