package im.server.gateway;

import im.server.session.Sessions;
import im.shared.config.ImConfig;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;

/**
 * The TCP gateway (docs/protocol.md §3): deploy several instances, they share the port and Vert.x spreads the
 * connections over them; each connection stays on the event loop of the instance that accepted it.
 */
public final class TcpGatewayVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(TcpGatewayVerticle.class);
  /** Port 0: one free port for every instance (see HttpVerticle), not the one the HTTP servers share. */
  private static final int ANY_PORT_SHARED = -2;

  private final GatewayServices services;
  private NetServer server;

  public TcpGatewayVerticle(GatewayServices services) {
    this.services = services;
  }

  @Override
  public Future<?> start() {
    ImConfig.Tcp tcp = services.config().tcp();
    NetServerOptions options = new NetServerOptions()
        .setHost(tcp.host())
        .setPort(tcp.port() == 0 ? ANY_PORT_SHARED : tcp.port())
        .setTcpNoDelay(true)
        // docs/protocol.md §3: a TCP connection silent for tcpIdleTimeoutMs is closed; clients ping every 30 s.
        .setReadIdleTimeout((int) services.realtime().tcpIdleTimeoutMs())
        .setIdleTimeoutUnit(TimeUnit.MILLISECONDS);
    server = vertx.createNetServer(options).connectHandler(this::accept);
    return server.listen().onSuccess(s -> LOG.debug("tcp gateway listening on {}:{}", tcp.host(), s.actualPort()));
  }

  /** The bound port: the configured one, or the one picked for port 0. */
  public int actualPort() {
    return server.actualPort();
  }

  private void accept(NetSocket socket) {
    if (services.sessions().draining()) {
      socket.close();
      return;
    }
    String address = Sessions.address(socket.remoteAddress());
    if (!services.sessions().admit(address, services.config().limits().connectionsPerAddress())) {
      LOG.debug("tcp connection refused: {} is at limits.connectionsPerAddress", address);
      socket.close();
      return;
    }
    new TcpConnection(socket, services, vertx);
  }
}
