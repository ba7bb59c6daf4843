package im.shared.events;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;

/**
 * Where the node tells the outside world what happened (docs/events.md): domain events to topic
 * {@value #EVENTS_TOPIC}, offline-push payloads to topic {@value #PUSH_TOPIC}. With Kafka configured it is a
 * {@link KafkaEventPublisher}; without, {@link #NONE}, which drops everything.
 *
 * <p>Publishing is fire and forget: it never blocks and never fails the caller, whose request has already
 * succeeded. Callers publish after the change is durable (stored in PostgreSQL, or the presence store), in the
 * order they decided it. Thread-safe.
 */
public interface EventPublisher {

  String EVENTS_TOPIC = "im.events";
  String PUSH_TOPIC = "im.push";

  /** Kafka is off: events and pushes go nowhere (webhook push works on its own). */
  EventPublisher NONE = new EventPublisher() {
    @Override
    public boolean enabled() {
      return false;
    }

    @Override
    public void publish(DomainEvent event) {
    }

    @Override
    public void publishPush(String uid, Buffer payload) {
    }

    @Override
    public Future<Void> close() {
      return Future.succeededFuture();
    }
  };

  /** Whether anything is published: offline pushes are worth resolving for {@link #publishPush} only then. */
  boolean enabled();

  /** Queues {@code event} for {@value #EVENTS_TOPIC}, keyed by {@link DomainEvent#key()}. */
  void publish(DomainEvent event);

  /** Queues one offline-push payload (the webhook's body, docs/protocol.md §4) for {@value #PUSH_TOPIC}, key uid. */
  void publishPush(String uid, Buffer payload);

  /** Sends what is queued (bounded wait) and releases the connection. */
  Future<Void> close();
}
