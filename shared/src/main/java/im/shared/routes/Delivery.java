package im.shared.routes;

import im.protocol.Op;
import io.vertx.core.json.JsonObject;

import java.util.Collection;

/** One frame for every online device of {@code uids}, except connection {@code skipConn} (may be null). */
public record Delivery(Collection<String> uids, Op op, JsonObject body, String skipConn) {}
