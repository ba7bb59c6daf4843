package im.protocol;

import io.vertx.core.json.jackson.JacksonCodec;
import io.vertx.core.spi.JsonFactory;
import io.vertx.core.spi.json.JsonCodec;

/**
 * Makes Vert.x encode and decode {@code JsonObject}s with Jackson's streaming parser and generator, not its object
 * mapper. With jackson-databind on the classpath (the stack's choice) Vert.x otherwise routes every
 * {@code JsonObject.encode()} through {@code ObjectMapper.writeValueAsString}, which builds a serializer provider and
 * looks types up per call: in a profile of the load generator that was a tenth of its time. Every frame, bus event and
 * database body here is a {@code JsonObject} or {@code JsonArray} of plain values, which the streaming codec covers;
 * nothing maps POJOs through Vert.x's {@code Json}. Registered in {@code META-INF/services}; it wins over Vert.x's own
 * factory by its lower {@link #order}.
 */
public final class StreamingJsonFactory implements JsonFactory {

  private static final JsonCodec CODEC = new JacksonCodec();

  @Override
  public int order() {
    return 0;
  }

  @Override
  public JsonCodec codec() {
    return CODEC;
  }
}
