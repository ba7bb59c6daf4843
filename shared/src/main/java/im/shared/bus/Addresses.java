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
}
