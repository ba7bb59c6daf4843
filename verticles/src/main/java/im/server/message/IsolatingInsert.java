package im.server.message;

import im.shared.message.MessageAppender;
import im.shared.message.MessageWriter;
import im.shared.message.MessageWriter.NewMessage;
import io.vertx.core.Future;
import io.vertx.pgclient.PgException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * The group-commit insert with one client's row kept from failing its neighbours (docs/protocol.md §3,
 * Isolation): when PostgreSQL refuses a batch for what a row holds (a data exception or a program limit, such as
 * a value nested past the stack depth), the batch is split in halves and each half tried on its own, down to
 * the single rows that cannot be stored. Those are refused alone; every other row is stored with the seq it
 * already has. A failure that says nothing about the rows (the store is down, a timeout) fails the whole batch,
 * as before: retrying row by row would only multiply the load on a store in trouble.
 *
 * <p>A batch with one bad row costs about {@code 2·log2(rows)} extra statements, paid only by hostile input.
 *
 * <p>Threading: stateless apart from the writer; runs on the owner's context.
 */
final class IsolatingInsert {

  private static final Logger LOG = LoggerFactory.getLogger(IsolatingInsert.class);

  /** The keys ({@link MessageWriter#key}) of the rows stored, and the sends whose rows cannot be stored. */
  record Result(Set<String> inserted, Set<PendingSend> refused) {}

  private final MessageAppender appender;

  IsolatingInsert(MessageAppender appender) {
    this.appender = appender;
  }

  /** @param sends the sends of {@code rows}, index for index */
  Future<Result> insert(List<PendingSend> sends, List<NewMessage> rows) {
    if (rows.isEmpty()) {
      return Future.succeededFuture(new Result(Set.of(), Set.of()));
    }
    return appender.append(rows)
        .map(inserted -> new Result(inserted, Set.of()))
        .recover(failure -> {
          if (!causedByContent(failure)) {
            return Future.failedFuture(failure);
          }
          if (rows.size() == 1) {
            PendingSend send = sends.get(0);
            LOG.info("message {} of {} refused by the store: {}", send.command.cmid(), send.command.from(), failure.toString());
            Set<PendingSend> refused = Collections.newSetFromMap(new IdentityHashMap<>());
            refused.add(send);
            return Future.succeededFuture(new Result(Set.of(), refused));
          }
          int half = rows.size() / 2;
          return insert(sends.subList(0, half), rows.subList(0, half))
              .compose(first -> insert(sends.subList(half, sends.size()), rows.subList(half, rows.size()))
                  .map(second -> merge(first, second)));
        });
  }

  /**
   * SQLSTATE classes 22 (data exception: a value that cannot be converted or stored) and 54 (program limit
   * exceeded: too deep, too large) are caused by a row's content; connection, timeout and resource failures are not.
   */
  static boolean causedByContent(Throwable failure) {
    if (failure instanceof PgException pg && pg.getSqlState() != null) {
      String sqlState = pg.getSqlState();
      return sqlState.startsWith("22") || sqlState.startsWith("54");
    }
    return false;
  }

  private static Result merge(Result a, Result b) {
    Set<String> inserted = new HashSet<>(a.inserted());
    inserted.addAll(b.inserted());
    Set<PendingSend> refused = Collections.newSetFromMap(new IdentityHashMap<>());
    refused.addAll(a.refused());
    refused.addAll(b.refused());
    return new Result(inserted, refused);
  }

  /** The sends of {@code batch} not in {@code refused}, in batch order. */
  static List<PendingSend> without(List<PendingSend> batch, Set<PendingSend> refused) {
    if (refused.isEmpty()) {
      return batch;
    }
    List<PendingSend> kept = new ArrayList<>(batch.size());
    for (PendingSend send : batch) {
      if (!refused.contains(send)) {
        kept.add(send);
      }
    }
    return kept;
  }
}
