package im.shared.bus;

/**
 * Every event-bus address of the platform. Node-addressed addresses are consumed by exactly one node,
 * so a clustered send never round-robins between nodes (VERTX5-NOTES 6).
 */
public final class Addresses {

  /**
   * Clustered and published: every node consumes it once. Body: {@link Events#deliver} whose items carry
   * {@link Events#CONV} instead of uids; the frame goes to the connections of that node that joined the room.
   */
  public static final String ROOMS_DELIVER = "im.rooms.deliver";

  private Addresses() {}

  /** Clustered; consumed once per node. Body: {@link Events#deliver}. Writes frames to that node's connections. */
  public static String nodeDeliver(String nodeId) {
    return "im.node." + nodeId + ".deliver";
  }

  /** Clustered; consumed once per node. Body: an owner command ({@link Events}); forwarded to the owning instance. */
  public static String nodeOwner(String nodeId) {
    return "im.node." + nodeId + ".owner";
  }

  /** Local; consumed by message-verticle instance {@code index} of this node. */
  public static String messageInstance(int index) {
    return "im.message." + index;
  }

  /**
   * Local; consumed by every user-service instance of this node ({@code im.server.user}). Body: a
   * {@link im.shared.bus.user.UserCommand}; reply: the command's reply record.
   */
  public static final String USER = "im.user";

  /**
   * Clustered, published: a friendship or block between two users changed. Body:
   * {@link im.shared.bus.user.SocialChanged}. Every node drops its cached send policy of that pair.
   */
  public static final String SOCIAL_CHANGED = "im.social.changed";

  /** Clustered; consumed once per node. Body {@code {uid, kind, at}}: a presence change of a user this node owns. */
  public static String nodePresence(String nodeId) {
    return "im.node." + nodeId + ".presence";
  }

  /**
   * Clustered; consumed once per node. Operator commands for that node ({@code im.server.admin}):
   * {@code {op:"status"}}, {@code {op:"scale", verticle, instances}}, {@code {op:"kick", uid}}.
   */
  public static String nodeAdmin(String nodeId) {
    return "im.node." + nodeId + ".admin";
  }

  /**
   * Clustered; consumed once per node. The cross-node device rules of PROTOCOL §3 (multi-device):
   * {@code {op:"list", uid}} → {@code {sessions:[{device, since}]}}; {@code {op:"kick", uid, device, reason}}.
   */
  public static String nodeSessions(String nodeId) {
    return "im.node." + nodeId + ".sessions";
  }

  /**
   * Local, published: which node or local instance owns a conversation may have changed (a member joined or
   * left the cluster, or the node's message instances were scaled). Body {@code {members:[nodeId...], instances}}.
   * Owners drop what they cached about conversations (members, seq floors), since a conversation that moved
   * away and came back may have advanced elsewhere meanwhile.
   */
  public static final String OWNERSHIP_CHANGED = "im.local.ownership-changed";
}
