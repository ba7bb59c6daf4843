package im.server.message;

import im.protocol.Conv;

import java.util.List;

/** What the owner keeps about a conversation it serves: who gets its messages and its durable seq floor. */
final class ConvState {

  final Conv.Type type;
  final List<String> members;
  /** Highest seq known to be stored; every allocation is made above it. Only the owner's context touches it. */
  long floor;

  ConvState(Conv.Type type, List<String> members, long floor) {
    this.type = type;
    this.members = members;
    this.floor = floor;
  }
}
