package im.shared.store;

import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;

/**
 * The one mapping from a {@code messages} row to the wire message of docs/protocol.md §4, used by history, sync and
 * the conversation list alike: {@code {conv, seq, mid, from, device, cmid, kind, body, ts, replyTo?, thread?}}, or for
 * a recalled message {@code {conv, seq, mid, from, ts, recalled:true, thread?}} without its content (a recalled
 * comment stays in its thread, a quote is content and goes). Every message that is not a comment also carries its
 * thread's {@code replyCount} and {@code lastReplyTs} (null when it has no comment), recalled or not.
 */
public final class MessageRows {

  private static final String[] COLUMNS = {"conv", "seq", "mid", "sender", "device", "cmid", "kind", "body", "ts", "recalled",
      "reply_to", "thread", "reply_count", "last_reply_ts"};

  private MessageRows() {}

  /**
   * The select list of a messages row under table alias {@code alias}, each column renamed with {@code prefix}
   * so that it can sit beside other columns in one row: {@code x.conv AS lm_conv, ...}.
   */
  public static String columns(String alias, String prefix) {
    StringBuilder sql = new StringBuilder();
    for (String column : COLUMNS) {
      if (sql.length() > 0) {
        sql.append(", ");
      }
      sql.append(alias).append('.').append(column).append(" AS ").append(prefix).append(column);
    }
    return sql.toString();
  }

  /** @return the message of the columns selected by {@link #columns} with this prefix, or {@code null} when they are null (no message) */
  public static JsonObject toJson(Row row, String prefix) {
    Long seq = row.getLong(prefix + "seq");
    if (seq == null) {
      return null;
    }
    JsonObject message = new JsonObject()
        .put("conv", row.getString(prefix + "conv"))
        .put("seq", seq)
        .put("mid", row.getString(prefix + "mid"))
        .put("from", row.getString(prefix + "sender"));
    Long thread = row.getLong(prefix + "thread");
    if (Boolean.TRUE.equals(row.getBoolean(prefix + "recalled"))) {
      message.put("ts", row.getLong(prefix + "ts")).put("recalled", true);
      return threadFields(message, row, prefix, thread);
    }
    message
        .put("device", row.getString(prefix + "device"))
        .put("cmid", row.getString(prefix + "cmid"))
        .put("kind", row.getString(prefix + "kind"))
        .put("body", row.getValue(prefix + "body"))
        .put("ts", row.getLong(prefix + "ts"));
    Long replyTo = row.getLong(prefix + "reply_to");
    if (replyTo != null) {
      message.put("replyTo", replyTo);
    }
    return threadFields(message, row, prefix, thread);
  }

  /** A comment names its thread; any other message carries the counters of the thread under it. */
  private static JsonObject threadFields(JsonObject message, Row row, String prefix, Long thread) {
    if (thread != null) {
      return message.put("thread", thread);
    }
    return message
        .put("replyCount", row.getInteger(prefix + "reply_count"))
        .put("lastReplyTs", row.getLong(prefix + "last_reply_ts"));
  }
}
