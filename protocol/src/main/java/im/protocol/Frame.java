package im.protocol;

import io.vertx.core.json.JsonObject;

/**
 * One decoded realtime frame: its op and its JSON body. The body is never {@code null}; for TCP it no
 * longer holds a {@code "t"} field, since the header's op code is authoritative.
 */
public record Frame(Op op, JsonObject body) {}
