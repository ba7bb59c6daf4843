package im.protocol;

/** Conversation ids of docs/protocol.md §2: {@code p:<uidA>:<uidB>} (uidA < uidB), {@code g:<groupId>}, {@code r:<roomId>}. */
public final class Conv {

  public enum Type {
    P2P("p2p"), GROUP("group"), ROOM("room");

    private final String dbName;

    Type(String dbName) {
      this.dbName = dbName;
    }

    /** The value of {@code conversations.type} and of {@code type} in the conversation list. */
    public String dbName() {
      return dbName;
    }
  }

  private static final int MAX_LENGTH = 256;

  private Conv() {}

  /** The one-to-one conversation of two users, whichever of them asks. */
  public static String p2p(String uidA, String uidB) {
    return uidA.compareTo(uidB) < 0 ? "p:" + uidA + ":" + uidB : "p:" + uidB + ":" + uidA;
  }

  public static String group(String groupId) {
    return "g:" + groupId;
  }

  public static String room(String roomId) {
    return "r:" + roomId;
  }

  /** @return the type of a well-formed conversation id, or {@code null} when {@code conv} is not one */
  public static Type typeOf(String conv) {
    if (conv == null || conv.length() < 3 || conv.length() > MAX_LENGTH || conv.charAt(1) != ':') {
      return null;
    }
    switch (conv.charAt(0)) {
      case 'p': {
        String[] uids = p2pMembers(conv);
        return uids != null ? Type.P2P : null;
      }
      case 'g':
        return Type.GROUP;
      case 'r':
        return Type.ROOM;
      default:
        return null;
    }
  }

  /** @return the two uids of a well-formed {@code p:} id in stored order, or {@code null} */
  public static String[] p2pMembers(String conv) {
    if (conv == null || !conv.startsWith("p:")) {
      return null;
    }
    String[] parts = conv.substring(2).split(":", -1);
    if (parts.length != 2 || parts[0].isEmpty() || parts[1].isEmpty() || parts[0].compareTo(parts[1]) >= 0) {
      return null;
    }
    return parts;
  }

  /** For a {@code p:} conversation, the member that is not {@code uid}; {@code null} when uid is not a member. */
  public static String peerOf(String conv, String uid) {
    String[] members = p2pMembers(conv);
    if (members == null) {
      return null;
    }
    if (members[0].equals(uid)) {
      return members[1];
    }
    return members[1].equals(uid) ? members[0] : null;
  }
}
