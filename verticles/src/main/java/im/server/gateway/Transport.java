package im.server.gateway;

import im.server.session.OutboundFrame;

/**
 * What a {@link ClientSession} needs from its socket. One adapter per transport (WebSocket, TCP) unwraps
 * incoming frames into the session and implements this for the way out, so the protocol logic exists
 * once. Called on the connection's own context only.
 */
interface Transport {

  /** {@code "ws"} or {@code "tcp"}: the label of the connection metrics. */
  String name();

  /** The peer's IP address, which the cap on connections per address counts. */
  String remoteAddress();

  void write(OutboundFrame frame);

  boolean writeQueueFull();

  /** Stops reading from the socket (while {@code auth} is being checked). */
  void pause();

  void resume();

  /**
   * Closes after the frames already written; the transport then calls {@link ClientSession#onClosed()}. Vert.x 5
   * closes only once those frames are flushed, which never happens while the peer does not read: see {@link #abort}.
   */
  void close(CloseCode code);

  /**
   * Closes at once, dropping whatever is still queued (no WebSocket close frame: it would wait behind the rest);
   * the transport then calls {@link ClientSession#onClosed()}. For a peer that does not read.
   */
  void abort();
}
