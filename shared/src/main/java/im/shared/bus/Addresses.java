package im.shared.bus;

/**
 * Every event-bus address of the platform; the bodies are the records of the sub-packages of {@code im.shared.bus},
 * carried as JSON; within a node some travel as themselves ({@link RecordCodec}). Node-addressed addresses are consumed by exactly one node: a clustered send to an address with
 * consumers on several nodes would round-robin between them, which owner routing must never do
 * (docs/architecture.md, Ownership and routing).
 */
public final class Addresses {

  /**
   * Clustered and published: every node consumes it once. Body: {@link im.shared.bus.delivery.RoomDeliverEvent};
   * each frame goes to the connections of that node that joined the item's room.
   */
  public static final String ROOMS_DELIVER = "im.rooms.deliver";

  private Addresses() {}

  /** Clustered; consumed once per node. Body: {@link im.shared.bus.delivery.DeliverEvent}, frames for that node's connections. */
  public static String nodeDeliver(String nodeId) {
    return "im.node." + nodeId + ".deliver";
  }

  /**
   * Clustered; consumed once per node. Body: an {@link im.shared.bus.message.OwnerCommand} from another node, passed
   * to the local instance that owns its conversation; reply: that instance's.
   */
  public static String nodeOwner(String nodeId) {
    return "im.node." + nodeId + ".owner";
  }

  /** Local; consumed by message-verticle instance {@code index} of this node. Body: an {@link im.shared.bus.message.OwnerCommand}. */
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

  /** Clustered; consumed once per node. Body: {@link im.shared.bus.presence.PresencePoke} of a user this node owns. */
  public static String nodePresence(String nodeId) {
    return "im.node." + nodeId + ".presence";
  }

  /**
   * Clustered; consumed once per node. Body: an {@link im.shared.bus.admin.AdminCommand} for that node.
   */
  public static String nodeAdmin(String nodeId) {
    return "im.node." + nodeId + ".admin";
  }

  /**
   * Clustered; consumed once per node. Body: an {@link im.shared.bus.session.SessionCommand}: the cross-node device
   * rules of docs/protocol.md §3 (multi-device) list and kick devices there; the admin kick of a user goes there too.
   */
  public static String nodeSessions(String nodeId) {
    return "im.node." + nodeId + ".sessions";
  }

  /**
   * Local, published: which node or local instance owns a conversation may have changed (a member joined or
   * left the cluster, or the node's message instances were scaled). Body: {@link im.shared.bus.message.OwnershipChanged}.
   * Owners drop what they cached about conversations (members, seq floors), since a conversation that moved
   * away and came back may have advanced elsewhere meanwhile.
   */
  public static final String OWNERSHIP_CHANGED = "im.local.ownership-changed";

  /**
   * Local; consumed by the node's push verticle when offline push is configured. Body:
   * {@link im.shared.bus.push.PushBatch}, the offline recipients of one fan-out of this node's owners.
   */
  public static final String PUSH = "im.local.push";

  /**
   * Clustered, published: some tokens of a user were revoked (logout, logout-all, account closed). Body:
   * {@link im.shared.bus.session.TokensRevoked}. Each node's session service updates the node's revocation view and
   * kicks the connections those tokens opened.
   */
  public static final String TOKENS_REVOKED = "im.tokens.revoked";
}
