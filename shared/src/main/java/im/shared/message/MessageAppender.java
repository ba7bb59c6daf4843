package im.shared.message;

import im.shared.message.MessageWriter.NewMessage;
import io.vertx.core.Future;

import java.util.List;
import java.util.Set;

/**
 * Where the message owner makes a group-commit batch durable (docs/architecture.md, Message path): straight into
 * PostgreSQL ({@link MessageWriter#insert}), or, in Kafka mode, onto the {@code im.messages} log that the persister
 * then writes into PostgreSQL. Once the returned future succeeds, the rows it names survive a crash and may be
 * acked.
 *
 * <p>Threading: called on the owner's context; the future completes there.
 */
@FunctionalInterface
public interface MessageAppender {

  /**
   * @return the {@link MessageWriter#key} of every row made durable now; a row left out was not written because its
   *     (sender, cmid) or its (conv, seq) is already stored, which the caller resolves. Fails with the store's
   *     failure, a data exception naming the batch when a row's content cannot be stored.
   */
  Future<Set<String>> append(List<NewMessage> rows);
}
