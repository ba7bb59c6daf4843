package im.server.call;

import im.protocol.Conv;
import im.protocol.ErrorCode;
import im.protocol.ImException;
import im.protocol.MessageKinds;
import im.server.call.CallState.Result;
import im.server.message.OwnerRouter;
import im.shared.bus.message.Ack;
import im.shared.bus.message.CallCommand;
import im.shared.bus.message.OwnershipChanged;
import im.shared.bus.message.SendCommand;
import im.shared.cluster.PartitionOwners;
import im.shared.routes.RoutingTable;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import static im.shared.bus.message.CallCommand.ACCEPT;
import static im.shared.bus.message.CallCommand.ANSWERED_ELSEWHERE;
import static im.shared.bus.message.CallCommand.CANCEL;
import static im.shared.bus.message.CallCommand.HANGUP;
import static im.shared.bus.message.CallCommand.ICE;
import static im.shared.bus.message.CallCommand.INVITE;
import static im.shared.bus.message.CallCommand.REJECT;
import static im.shared.bus.message.CallCommand.RINGING;
import static im.shared.bus.message.CallCommand.SDP;

/**
 * One-to-one calls (docs/protocol.md §3, Calls), kept by the owner of their conversation: the owner that serialises
 * the conversation's messages also holds its calls' state and ring timers, so every step of a call is judged in one
 * place and its end is written once, as a {@code call} message through the owner's ordinary send path.
 *
 * <p>A call is bound to the caller's inviting device, and from {@code accept} on to the accepting callee device;
 * frames go to devices, wherever they are connected ({@link CallRelay}). Each call is also kept in Redis
 * ({@link CallStore}) with the node that serves it: when ownership moves, the new owner adopts the calls of a
 * living or cleanly stopped owner (timers resumed) and ends those of a dead one, as {@code completed} when they were
 * accepted and {@code missed} otherwise. The message's cmid is derived from the call, so a call ended twice (two
 * owners during a hand-over) still stores one message.
 *
 * <p>Threading: the owner instance's context only.
 */
public final class CallHandler {

  private static final Logger LOG = LoggerFactory.getLogger(CallHandler.class);
  private static final int WRITE_ATTEMPTS = 3;
  private static final long WRITE_RETRY_MS = 1000;
  /** The {@code device} of server-written messages. */
  private static final String SERVER_DEVICE = "server";

  /**
   * What every owner instance of a node shares.
   *
   * @param nodeId        this node
   * @param run           this start of the node: a call owned by this node id but another run was left by a node that died
   * @param ringTimeoutMs how long an invite rings before the call is missed ({@code calls.ringTimeoutMs})
   */
  public record Setup(String nodeId, String run, PartitionOwners owners, RoutingTable routes, CallStore store,
                      long ringTimeoutMs) {}

  private final Vertx vertx;
  private final Setup setup;
  private final int index;
  private final Function<SendCommand, Future<Ack>> writer;
  private final CallRelay relay;
  /** The calls this instance serves, by {@link CallState#key}; a load from Redis under way is a pending future. */
  private final Map<String, Future<CallState>> calls = new HashMap<>();

  /**
   * @param index  this owner instance: calls are adopted by the instance that owns their conversation
   * @param writer the owner's own send path, which stores the {@code call} message
   */
  public CallHandler(Vertx vertx, Setup setup, int index, Function<SendCommand, Future<Ack>> writer) {
    this.vertx = vertx;
    this.setup = setup;
    this.index = index;
    this.writer = writer;
    this.relay = new CallRelay(vertx, setup.routes());
  }

  public Future<Void> handle(CallCommand command) {
    String callee = Conv.peerOf(command.conv(), command.from());
    if (callee == null) {
      return Future.failedFuture(ImException.notMember("calls are one-to-one, in a p: conversation of yours"));
    }
    if (INVITE.equals(command.action())) {
      return invite(command, callee);
    }
    return find(command.conv(), command.callId()).compose(call -> {
      if (call == null) {
        return Future.failedFuture(ImException.notFound("no call " + command.callId() + " in " + command.conv()));
      }
      return act(call, command);
    });
  }

  /**
   * Ownership may have moved: lets go of the calls of conversations this instance no longer owns (their new owner
   * adopts them from Redis) and takes up those it now owns.
   */
  public void ownershipChanged(OwnershipChanged change) {
    calls.entrySet().removeIf(entry -> {
      CallState call = entry.getValue().result();
      boolean gone = call != null && ownedElsewhere(call.conv, change.instances());
      if (gone) {
        stopRinging(call);
      }
      return gone;
    });
    setup.store().active()
        .onSuccess(active -> active.forEach(call -> {
          if (ownsHere(call[0], change.instances()) && !calls.containsKey(CallState.key(call[0], call[1]))) {
            find(call[0], call[1]);
          }
        }))
        .onFailure(e -> LOG.warn("calls under way not read after an ownership change: {}", e.getMessage()));
  }

  /** A clean stop: the calls are left for the next owner to adopt, as they are. */
  public Future<Void> release() {
    List<CallState> held = new ArrayList<>();
    calls.values().forEach(loaded -> {
      CallState call = loaded.result();
      if (call != null && !call.ended()) {
        stopRinging(call);
        held.add(call);
      }
    });
    calls.clear();
    return setup.store().own(held, "", "");
  }

  private boolean ownsHere(String conv, int instances) {
    return setup.nodeId().equals(setup.owners().ownerOf(conv)) && OwnerRouter.instanceOf(conv, instances) == index;
  }

  /** Known to be owned by another node or instance; a partition without an owner (mid-migration) is kept. */
  private boolean ownedElsewhere(String conv, int instances) {
    String owner = setup.owners().ownerOf(conv);
    return owner != null && !ownsHere(conv, instances);
  }

  // ---------------------------------------------------------------- invite

  private Future<Void> invite(CallCommand command, String callee) {
    String key = CallState.key(command.conv(), command.callId());
    if (calls.containsKey(key)) {
      return Future.failedFuture(new ImException(ErrorCode.CONFLICT, "call id " + command.callId() + " is in use"));
    }
    return relay.devicesOf(callee).compose(where -> {
      if (where.isEmpty()) {
        return Future.failedFuture(ImException.unavailable("the callee has no online device"));
      }
      if (calls.containsKey(key)) {
        return Future.failedFuture(new ImException(ErrorCode.CONFLICT, "call id " + command.callId() + " is in use"));
      }
      CallState call = new CallState(command.conv(), command.callId(), command.from(), command.device(), callee,
          command.payload().getString("media"), System.currentTimeMillis());
      calls.put(key, Future.succeededFuture(call));
      return setup.store().create(call, setup.nodeId(), setup.run())
          .recover(failure -> {
            calls.remove(key);
            return Future.failedFuture(ImException.unavailable("the call could not be stored; retry"));
          })
          .compose(created -> {
            if (!created) {
              calls.remove(key);
              return Future.failedFuture(new ImException(ErrorCode.CONFLICT,
                  "call id " + command.callId() + " was used before"));
            }
            LOG.info("call {} invite conv={} from={} media={}", call.callId, call.conv, call.caller, call.media);
            ring(call, setup.ringTimeoutMs());
            relay.send(callee, where, device -> true, frame(call, INVITE, call.caller).put("media", call.media));
            return Future.succeededFuture();
          });
    });
  }

  private void ring(CallState call, long delayMs) {
    call.ringTimer = vertx.setTimer(Math.max(1, delayMs), id -> {
      call.ringTimer = -1;
      if (!call.ended() && !call.accepted()) {
        end(call, Result.MISSED, null);
        relay.send(call.callee, device -> true, frame(call, CANCEL, call.caller).put("reason", "timeout"));
      }
    });
  }

  private void stopRinging(CallState call) {
    if (call.ringTimer >= 0) {
      vertx.cancelTimer(call.ringTimer);
      call.ringTimer = -1;
    }
  }

  // ---------------------------------------------------------------- the steps of a call

  private Future<Void> act(CallState call, CallCommand command) {
    String action = command.action();
    if (call.ended()) {
      // A second hangup (both sides at once, or a retry) changes nothing and is no error.
      return HANGUP.equals(action) || CANCEL.equals(action) || REJECT.equals(action)
          ? Future.succeededFuture()
          : Future.failedFuture(ImException.notFound("call " + call.callId + " has ended"));
    }
    boolean byCaller = command.from().equals(call.caller);
    String device = command.device();
    if (byCaller && !device.equals(call.callerDevice)
        || !byCaller && call.accepted() && !device.equals(call.calleeDevice)) {
      return Future.failedFuture(ImException.forbidden("call " + call.callId + " is bound to another device"));
    }
    switch (action) {
      case RINGING -> {
        requireCallee(byCaller, action);
        requireRinging(call, action);
        relay.send(call.caller, call.callerDevice::equals, frame(call, RINGING, call.callee));
      }
      case ACCEPT -> {
        requireCallee(byCaller, action);
        requireRinging(call, action);
        return accept(call, device);
      }
      case REJECT -> {
        requireCallee(byCaller, action);
        requireRinging(call, action);
        reject(call, device);
      }
      case CANCEL -> {
        requireRinging(call, action);
        if (!byCaller) {
          throw ImException.forbidden("only the caller cancels; the callee rejects");
        }
        cancel(call);
      }
      case HANGUP -> hangup(call, byCaller, device);
      case SDP, ICE -> relayToPeer(call, byCaller, frame(call, action, command.from()).mergeIn(command.payload()));
      default -> throw ImException.badRequest("unknown call action " + action);
    }
    return Future.succeededFuture();
  }

  private static void requireCallee(boolean byCaller, String action) {
    if (byCaller) {
      throw ImException.forbidden(action + " is the callee's");
    }
  }

  private static void requireRinging(CallState call, String action) {
    if (call.accepted()) {
      throw new ImException(ErrorCode.CONFLICT, "call " + call.callId + " was accepted: no " + action + " now");
    }
  }

  private Future<Void> accept(CallState call, String device) {
    stopRinging(call);
    call.calleeDevice = device;
    call.acceptedAtMs = System.currentTimeMillis();
    LOG.info("call {} accepted conv={} by={} device={}", call.callId, call.conv, call.callee, device);
    relay.send(call.caller, call.callerDevice::equals, frame(call, ACCEPT, call.callee));
    relay.send(call.callee, other -> !other.equals(device), frame(call, ANSWERED_ELSEWHERE, call.callee));
    return setup.store().accepted(call)
        .recover(e -> {
          LOG.warn("call {} accept not stored: {}", call.callId, e.getMessage());
          return Future.succeededFuture();
        });
  }

  /** A reject from any callee device ends the call for all of them. */
  private void reject(CallState call, String device) {
    end(call, Result.REJECTED, device);
    JsonObject frame = frame(call, REJECT, call.callee);
    relay.send(call.caller, call.callerDevice::equals, frame);
    relay.send(call.callee, other -> !other.equals(device), frame);
  }

  private void cancel(CallState call) {
    end(call, Result.CANCELLED, call.callerDevice);
    relay.send(call.callee, device -> true, frame(call, CANCEL, call.caller));
  }

  /** Before {@code accept}, a hangup is the caller's cancel or the callee's reject. */
  private void hangup(CallState call, boolean byCaller, String device) {
    if (!call.accepted()) {
      if (byCaller) {
        cancel(call);
      } else {
        reject(call, device);
      }
      return;
    }
    end(call, Result.COMPLETED, device);
    if (byCaller) {
      relay.send(call.callee, call.calleeDevice::equals, frame(call, HANGUP, call.caller));
    } else {
      relay.send(call.caller, call.callerDevice::equals, frame(call, HANGUP, call.callee));
    }
  }

  /** Media negotiation: to the bound device of the other side, or every callee device while the call rings. */
  private void relayToPeer(CallState call, boolean byCaller, JsonObject frame) {
    if (byCaller) {
      String bound = call.calleeDevice;
      relay.send(call.callee, device -> bound == null || bound.equals(device), frame);
    } else {
      relay.send(call.caller, call.callerDevice::equals, frame);
    }
  }

  private static JsonObject frame(CallState call, String action, String from) {
    return new JsonObject().put("callId", call.callId).put("conv", call.conv).put("action", action).put("from", from);
  }

  // ---------------------------------------------------------------- the end of a call

  /**
   * Ends the call once: the {@code call} message is written through the owner's send path, and Redis marks it
   * ended; the in-memory entry stays until then, so a hangup racing the write finds it ended.
   */
  private void end(CallState call, Result result, String byDevice) {
    long now = System.currentTimeMillis();
    call.result = result;
    stopRinging(call);
    LOG.info("call {} ended conv={} result={} by={} durationMs={}", call.callId, call.conv, result.wireName(),
        byDevice == null ? "server" : byDevice, call.messageBody(now).getLong("durationMs"));
    writeMessage(call, call.messageBody(now), 1);
    setup.store().ended(call)
        .onFailure(e -> LOG.warn("call {} end not stored: {}", call.callId, e.getMessage()))
        .onComplete(done -> calls.remove(call.key()));
  }

  private void writeMessage(CallState call, JsonObject body, int attempt) {
    SendCommand message = new SendCommand(call.conv, call.caller, SERVER_DEVICE, null, call.messageCmid(),
        MessageKinds.CALL, body);
    writer.apply(message).onFailure(e -> {
      if (attempt < WRITE_ATTEMPTS) {
        vertx.setTimer(WRITE_RETRY_MS, id -> writeMessage(call, body, attempt + 1));
      } else {
        LOG.error("call {} in {}: the call message was not stored: {}", call.callId, call.conv, e.getMessage());
      }
    });
  }

  // ---------------------------------------------------------------- adoption

  /** The call this instance serves, loaded from Redis (and adopted or ended) when not yet here; null when unknown. */
  private Future<CallState> find(String conv, String callId) {
    String key = CallState.key(conv, callId);
    Future<CallState> known = calls.get(key);
    if (known != null) {
      return known;
    }
    Future<CallState> loading = setup.store().load(conv, callId)
        .recover(e -> Future.failedFuture(ImException.unavailable("calls cannot be read now; retry")))
        .map(stored -> {
          if (stored == null) {
            setup.store().forget(conv, callId);
          }
          return takeOver(stored);
        });
    calls.put(key, loading);
    loading.onComplete(done -> {
      CallState call = done.succeeded() ? done.result() : null;
      if (call == null || call.ended()) {
        calls.remove(key, loading);
      }
    });
    return loading;
  }

  /**
   * A call found in Redis: already ended, or served by a node that died (then ended here), or adopted by this owner,
   * its ring timer resumed for what is left of it.
   */
  private CallState takeOver(CallStore.Stored stored) {
    if (stored == null || stored.state().ended()) {
      return stored == null ? null : stored.state();
    }
    CallState call = stored.state();
    if (ownerDied(stored.owner(), stored.ownerRun())) {
      LOG.info("call {} in {}: its owner {} is gone", call.callId, call.conv, stored.owner());
      JsonObject frame = frame(call, call.accepted() ? HANGUP : CANCEL, call.caller).put("reason", "failover");
      end(call, call.accepted() ? Result.COMPLETED : Result.MISSED, null);
      relay.send(call.caller, call.callerDevice::equals, frame);
      relay.send(call.callee, device -> call.calleeDevice == null || call.calleeDevice.equals(device), frame);
      return call;
    }
    LOG.info("call {} in {}: adopted from owner {}", call.callId, call.conv,
        stored.owner().isEmpty() ? "(released)" : stored.owner());
    if (!call.accepted()) {
      ring(call, call.invitedAtMs + setup.ringTimeoutMs() - System.currentTimeMillis());
    }
    setup.store().own(List.of(call), setup.nodeId(), setup.run())
        .onFailure(e -> LOG.warn("call {} adoption not stored: {}", call.callId, e.getMessage()));
    return call;
  }

  /** An empty owner released the call on a clean stop; else its node must still be a member, in the same run. */
  private boolean ownerDied(String owner, String ownerRun) {
    if (owner == null || owner.isEmpty()) {
      return false;
    }
    Set<String> members = setup.owners().members();
    return !members.contains(owner) || owner.equals(setup.nodeId()) && !setup.run().equals(ownerRun);
  }
}
