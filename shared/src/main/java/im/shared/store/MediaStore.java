package im.shared.store;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Uploaded media in table {@code media}, addressed and deduplicated by the SHA-256 of the bytes. Hashing a
 * large upload takes tens of milliseconds, so it runs on a worker thread; futures complete on the caller's context.
 */
public final class MediaStore {

  /** A stored file; {@code data} is null in the result of {@link #put}. */
  public record Media(String sha256, String mime, long size, Buffer data) {}

  /**
   * Inserts unless present and answers the stored row either way: both CTE branches read the same snapshot,
   * so exactly one of them yields a row.
   */
  static final String PUT =
      "WITH inserted AS ("
          + " INSERT INTO media (sha256, mime, size, data, created_at) VALUES ($1, $2, $3, $4, $5)"
          + " ON CONFLICT (sha256) DO NOTHING RETURNING mime, size)"
          + " SELECT mime, size FROM inserted UNION ALL SELECT mime, size FROM media WHERE sha256 = $1";
  static final String GET = "SELECT mime, size, data FROM media WHERE sha256 = $1";

  private final Vertx vertx;
  private final Pool pool;

  public MediaStore(Vertx vertx, Pool pool) {
    this.vertx = vertx;
    this.pool = pool;
  }

  /** Stores {@code bytes}; identical bytes stored earlier keep their first {@code mime}. */
  public Future<Media> put(Buffer bytes, String mime) {
    return vertx.executeBlocking(() -> sha256(bytes), false)
        .compose(sha256 -> pool.preparedQuery(PUT)
            .execute(Tuple.of(sha256, mime, (long) bytes.length(), bytes, System.currentTimeMillis()))
            .map(rows -> {
              Row row = rows.iterator().next();
              return new Media(sha256, row.getString("mime"), row.getLong("size"), null);
            }));
  }

  /** @return the file, or {@code null} when nothing has that hash */
  public Future<Media> get(String sha256) {
    return pool.preparedQuery(GET).execute(Tuple.of(sha256)).map(rows -> {
      if (rows.size() == 0) {
        return null;
      }
      Row row = rows.iterator().next();
      return new Media(sha256, row.getString("mime"), row.getLong("size"), row.getBuffer("data"));
    });
  }

  /** Lower-case hex, as in the media url. */
  public static String sha256(Buffer bytes) throws NoSuchAlgorithmException {
    MessageDigest digest = MessageDigest.getInstance("SHA-256");
    digest.update(bytes.getBytes());
    return HexFormat.of().formatHex(digest.digest());
  }
}
