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
 * Uploaded media in table {@code media}, addressed and deduplicated by the SHA-256 of the bytes together with their
 * media type: the same bytes uploaded as another type are another file with another id, so a file is always
 * served with the type its uploader gave. Files stored before the type was part of the key keep their bare
 * SHA-256 as id. Hashing a large upload takes tens of milliseconds, so it runs on a worker thread; futures
 * complete on the caller's context.
 */
public final class MediaStore {

  /**
   * A stored file; {@code data} is null in the result of {@link #put}.
   *
   * @param id     what its url names: {@code <sha256>.<first 16 hex digits of the SHA-256 of the mime>}
   * @param sha256 of the bytes alone
   */
  public record Media(String id, String sha256, String mime, long size, Buffer data) {}

  /**
   * Inserts unless present and answers the stored row either way: both CTE branches read the same snapshot,
   * so exactly one of them yields a row.
   */
  static final String PUT =
      "WITH inserted AS ("
          + " INSERT INTO media (id, sha256, mime, size, data, created_at) VALUES ($1, $2, $3, $4, $5, $6)"
          + " ON CONFLICT (id) DO NOTHING RETURNING mime, size)"
          + " SELECT mime, size FROM inserted UNION ALL SELECT mime, size FROM media WHERE id = $1";
  static final String GET = "SELECT sha256, mime, size, data FROM media WHERE id = $1";

  private final Vertx vertx;
  private final Pool pool;

  public MediaStore(Vertx vertx, Pool pool) {
    this.vertx = vertx;
    this.pool = pool;
  }

  /** Stores {@code bytes} as {@code mime}, once: the same bytes and type give the same id. */
  public Future<Media> put(Buffer bytes, String mime) {
    return vertx.executeBlocking(() -> sha256(bytes), false)
        .compose(sha256 -> {
          String id = sha256 + "." + typeTag(mime);
          return pool.preparedQuery(PUT)
              .execute(Tuple.of(id, sha256, mime, (long) bytes.length(), bytes, System.currentTimeMillis()))
              .map(rows -> {
                Row row = rows.iterator().next();
                return new Media(id, sha256, row.getString("mime"), row.getLong("size"), null);
              });
        });
  }

  /** @return the file, or {@code null} when nothing has that id */
  public Future<Media> get(String id) {
    return pool.preparedQuery(GET).execute(Tuple.of(id)).map(rows -> {
      if (rows.size() == 0) {
        return null;
      }
      Row row = rows.iterator().next();
      return new Media(id, row.getString("sha256"), row.getString("mime"), row.getLong("size"), row.getBuffer("data"));
    });
  }

  private static String typeTag(String mime) {
    try {
      return sha256(Buffer.buffer(mime)).substring(0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java has SHA-256", e);
    }
  }

  /** Lower-case hex, as in the media url. */
  public static String sha256(Buffer bytes) throws NoSuchAlgorithmException {
    MessageDigest digest = MessageDigest.getInstance("SHA-256");
    digest.update(bytes.getBytes());
    return HexFormat.of().formatHex(digest.digest());
  }
}
