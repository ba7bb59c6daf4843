package im.server.gateway;

import im.server.presence.PresenceTracker;
import im.server.session.Sessions;
import im.shared.auth.TokenVerifier;
import im.shared.config.ImConfig;
import im.shared.message.MessageService;
import im.shared.message.ReadService;
import im.shared.metrics.ImMetrics;

import java.util.Objects;

/**
 * Everything the gateways of one node share: created once by {@code Main} and handed to the WebSocket
 * handler and every TCP verticle instance. All members are thread-safe.
 */
public record GatewayServices(
    ImConfig config,
    String nodeId,
    TokenVerifier tokens,
    MessageService messages,
    ReadService reads,
    ImMetrics metrics,
    Sessions sessions,
    PresenceTracker presence) {

  public GatewayServices {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(nodeId, "nodeId");
    Objects.requireNonNull(tokens, "tokens");
    Objects.requireNonNull(messages, "messages");
    Objects.requireNonNull(reads, "reads");
    Objects.requireNonNull(metrics, "metrics");
    Objects.requireNonNull(sessions, "sessions");
    Objects.requireNonNull(presence, "presence");
  }

  public ImConfig.Realtime realtime() {
    return config.realtime();
  }
}
