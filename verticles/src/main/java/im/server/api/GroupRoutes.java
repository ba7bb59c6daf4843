package im.server.api;

import im.protocol.Conv;
import im.protocol.ImException;
import im.shared.Ids;
import im.shared.bus.message.GroupCommand;
import im.shared.message.MessageService;
import im.shared.store.GroupStore;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.core.Handler;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Groups and rooms over HTTP (docs/protocol.md §4). Every group change is a command to the group's owner, which checks
 * the roles, writes the change as a {@code system} message and stores it before answering; reading a group
 * and creating a room go to the database directly. Handlers run on the request's event loop.
 */
public final class GroupRoutes {

  private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
  private static final int MAX_ROOM_NAME = 100;

  private final MessageService owners;
  private final GroupStore groups;

  public GroupRoutes(MessageService owners, GroupStore groups) {
    this.owners = owners;
    this.groups = groups;
  }

  void mount(Router root, Handler<RoutingContext> json) {
    String api = ApiRouter.API;
    root.post(api + "/groups").handler(json).handler(this::create);
    root.get(api + "/groups/:groupId").handler(this::describe);
    root.patch(api + "/groups/:groupId").handler(json).handler(this::rename);
    root.post(api + "/groups/:groupId/members").handler(json).handler(this::addMembers);
    root.delete(api + "/groups/:groupId/members/:uid").handler(this::removeMember);
    root.put(api + "/groups/:groupId/admins/:uid").handler(ctx -> changeAdmin(ctx, GroupCommand.Action.ADMIN_ADD));
    root.delete(api + "/groups/:groupId/admins/:uid").handler(ctx -> changeAdmin(ctx, GroupCommand.Action.ADMIN_REMOVE));
    root.post(api + "/rooms").handler(json).handler(this::createRoom);
  }

  private void create(RoutingContext ctx) {
    JsonObject body = RequestJson.body(ctx);
    String groupId = Ids.newId();
    GroupCommand command = new GroupCommand(Conv.group(groupId), BearerAuth.uid(ctx), GroupCommand.Action.CREATE,
        RequestJson.string(body, "name", true), GroupCommand.uids(RequestJson.array(body, "members")), null);
    owners.changeGroup(command)
        .onSuccess(ack -> Replies.json(ctx, 201, new JsonObject().put("groupId", groupId).put("conv", Conv.group(groupId))))
        .onFailure(ctx::fail);
  }

  private void describe(RoutingContext ctx) {
    groups.describe(groupId(ctx), BearerAuth.uid(ctx)).onSuccess(group -> Replies.ok(ctx, group)).onFailure(ctx::fail);
  }

  private void rename(RoutingContext ctx) {
    JsonObject body = RequestJson.body(ctx);
    String conv = groupConv(ctx);
    run(ctx, command(ctx, conv, GroupCommand.Action.RENAME, RequestJson.string(body, "name", true), List.of(), null));
  }

  private void addMembers(RoutingContext ctx) {
    JsonObject body = RequestJson.body(ctx);
    if (!body.containsKey("uids")) {
      throw ImException.badRequest("uids is required");
    }
    String conv = groupConv(ctx);
    run(ctx, command(ctx, conv, GroupCommand.Action.ADD, null, GroupCommand.uids(RequestJson.array(body, "uids")), null));
  }

  private void removeMember(RoutingContext ctx) {
    run(ctx, command(ctx, groupConv(ctx), GroupCommand.Action.REMOVE, null, List.of(), ctx.pathParam("uid")));
  }

  private void changeAdmin(RoutingContext ctx, GroupCommand.Action action) {
    run(ctx, command(ctx, groupConv(ctx), action, null, List.of(), ctx.pathParam("uid")));
  }

  private void createRoom(RoutingContext ctx) {
    String name = RequestJson.string(RequestJson.body(ctx), "name", true);
    if (name.isBlank() || name.codePointCount(0, name.length()) > MAX_ROOM_NAME) {
      throw ImException.badRequest("name must be 1-" + MAX_ROOM_NAME + " characters");
    }
    String roomId = Ids.newId();
    String conv = Conv.room(roomId);
    groups.createRoom(conv, name, System.currentTimeMillis())
        .onSuccess(v -> Replies.json(ctx, 201, new JsonObject().put("roomId", roomId).put("conv", conv)))
        .onFailure(ctx::fail);
  }

  private void run(RoutingContext ctx, GroupCommand command) {
    owners.changeGroup(command).onSuccess(v -> Replies.noContent(ctx)).onFailure(ctx::fail);
  }

  private static GroupCommand command(RoutingContext ctx, String conv, GroupCommand.Action action, String name,
                                      List<String> uids, String uid) {
    return new GroupCommand(conv, BearerAuth.uid(ctx), action, name, uids, uid);
  }

  private static String groupConv(RoutingContext ctx) {
    return Conv.group(groupId(ctx));
  }

  /** An id that cannot name a group is simply not found. */
  private static String groupId(RoutingContext ctx) {
    String groupId = ctx.pathParam("groupId");
    if (groupId == null || !ID.matcher(groupId).matches()) {
      throw ImException.notFound("no group " + groupId);
    }
    return groupId;
  }
}
