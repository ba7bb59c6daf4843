package im.shared.bus.push;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * One stored message and the members it reached while offline (docs/protocol.md §4, Offline push): the owner
 * builds it after the fan-out's routes lookup; the push verticle drops the members who muted the conversation and
 * POSTs one push per remaining member.
 *
 * @param uids the offline recipients, the sender never among them
 */
public record PushItem(String conv, long seq, String mid, String from, String kind, JsonObject body, long ts,
                       List<String> uids) {

  public JsonObject toJson() {
    return new JsonObject().put("conv", conv).put("seq", seq).put("mid", mid).put("from", from).put("kind", kind)
        .put("body", body).put("ts", ts).put("uids", new JsonArray(new ArrayList<>(uids)));
  }

  public static PushItem fromJson(JsonObject json) {
    List<String> uids = new ArrayList<>();
    json.getJsonArray("uids", new JsonArray()).forEach(uid -> uids.add((String) uid));
    return new PushItem(json.getString("conv"), json.getLong("seq", 0L), json.getString("mid"),
        json.getString("from"), json.getString("kind"), json.getJsonObject("body"), json.getLong("ts", 0L), uids);
  }
}
