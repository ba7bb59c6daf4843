package im.server.call;

import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Calls in Redis, where the next owner of a conversation finds them (docs/architecture.md, Calls): one hash per
 * call, {@code im:<cluster>:call:<conv> <callId>}, and the set {@code im:<cluster>:calls} of the calls not yet ended.
 * An ended call's hash stays for {@link #KEEP_MS} with its {@code result}, so a late hangup finds it ended and a
 * reused call id is refused. Soft state: losing it (a flushed Redis) ends nothing by itself, it only loses the
 * hand-over of calls under way.
 *
 * <p>Thread-safe, non-blocking; futures complete on the caller's context.
 */
public final class CallStore {

  static final long KEEP_MS = 24 * 3600_000L;

  /** A call as stored, with the owner that serves it (an empty owner: released by a node that stopped cleanly). */
  record Stored(CallState state, String owner, String ownerRun) {}

  private final Redis redis;
  private final String prefix;
  private final String activeKey;

  /** @param namespace keeps the calls of two clusters sharing a Redis apart (the cluster name) */
  public CallStore(Redis redis, String namespace) {
    this.redis = redis;
    this.prefix = "im:" + namespace + ":call:";
    this.activeKey = "im:" + namespace + ":calls";
  }

  /** Stores a new call served by {@code owner}; false, storing nothing, when its call id was used before. */
  Future<Boolean> create(CallState call, String owner, String ownerRun) {
    String key = prefix + call.key();
    return redis.send(Request.cmd(Command.HSETNX).arg(key).arg("callId").arg(call.callId)).compose(claimed -> {
      if (claimed.toInteger() == 0) {
        return Future.succeededFuture(false);
      }
      Request fields = Request.cmd(Command.HSET).arg(key)
          .arg("conv").arg(call.conv)
          .arg("caller").arg(call.caller)
          .arg("callerDevice").arg(call.callerDevice)
          .arg("callee").arg(call.callee)
          .arg("media").arg(call.media)
          .arg("invitedAt").arg(call.invitedAtMs)
          .arg("owner").arg(owner)
          .arg("ownerRun").arg(ownerRun);
      return redis.batch(List.of(fields, Request.cmd(Command.PEXPIRE).arg(key).arg(KEEP_MS),
          Request.cmd(Command.SADD).arg(activeKey).arg(call.key()))).map(true);
    });
  }

  Future<Void> accepted(CallState call) {
    return redis.send(Request.cmd(Command.HSET).arg(prefix + call.key())
        .arg("calleeDevice").arg(call.calleeDevice).arg("acceptedAt").arg(call.acceptedAtMs)).mapEmpty();
  }

  Future<Void> ended(CallState call) {
    String key = prefix + call.key();
    return redis.batch(List.of(
        Request.cmd(Command.HSET).arg(key).arg("result").arg(call.result.wireName()),
        Request.cmd(Command.PEXPIRE).arg(key).arg(KEEP_MS),
        Request.cmd(Command.SREM).arg(activeKey).arg(call.key()))).mapEmpty();
  }

  /** Marks the calls as served by {@code owner} from now on. */
  Future<Void> own(Collection<CallState> calls, String owner, String ownerRun) {
    if (calls.isEmpty()) {
      return Future.succeededFuture();
    }
    List<Request> requests = new ArrayList<>(calls.size());
    calls.forEach(call -> requests.add(Request.cmd(Command.HSET).arg(prefix + call.key())
        .arg("owner").arg(owner).arg("ownerRun").arg(ownerRun)));
    return redis.batch(requests).mapEmpty();
  }

  /** Drops a call from the set of calls under way whose hash is gone (expired, or Redis lost it). */
  Future<Void> forget(String conv, String callId) {
    return redis.send(Request.cmd(Command.SREM).arg(activeKey).arg(CallState.key(conv, callId))).mapEmpty();
  }

  /** The call, or null when none is stored under this conversation and id. */
  Future<Stored> load(String conv, String callId) {
    return redis.send(Request.cmd(Command.HGETALL).arg(prefix + CallState.key(conv, callId))).map(hash -> {
      if (hash == null || hash.size() == 0 || text(hash, "caller") == null) {
        return null;
      }
      CallState call = new CallState(conv, callId, text(hash, "caller"), text(hash, "callerDevice"),
          text(hash, "callee"), text(hash, "media"), number(hash, "invitedAt"));
      call.calleeDevice = text(hash, "calleeDevice");
      call.acceptedAtMs = number(hash, "acceptedAt");
      call.result = CallState.Result.of(text(hash, "result"));
      return new Stored(call, text(hash, "owner"), text(hash, "ownerRun"));
    });
  }

  /** The calls not yet ended, as {@code [conv, callId]}. */
  Future<List<String[]>> active() {
    return redis.send(Request.cmd(Command.SMEMBERS).arg(activeKey)).map(members -> {
      List<String[]> calls = new ArrayList<>(members == null ? 0 : members.size());
      if (members != null) {
        for (Response member : members) {
          String[] parts = member.toString().split(" ", 2);
          if (parts.length == 2) {
            calls.add(parts);
          }
        }
      }
      return calls;
    });
  }

  private static String text(Response hash, String field) {
    Response value = hash.get(field);
    return value == null ? null : value.toString();
  }

  private static long number(Response hash, String field) {
    Response value = hash.get(field);
    return value == null ? 0 : value.toLong();
  }
}
