package im.shared.store;

import im.shared.db.Database;
import im.shared.testing.TestDb;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(VertxExtension.class)
class MediaStoreTest {

  private Pool pool;
  private MediaStore media;

  @BeforeEach
  void setUp(Vertx vertx) {
    pool = Database.pool(vertx, TestDb.config().pg());
    media = new MediaStore(vertx, pool);
  }

  @AfterEach
  void tearDown() {
    pool.close().await();
  }

  @Test
  void putIsAddressedByContentAndTypeAndDeduplicated() throws Exception {
    Buffer bytes = Buffer.buffer("image bytes " + UUID.randomUUID());
    MediaStore.Media first = media.put(bytes, "image/png").await();
    assertEquals(MediaStore.sha256(bytes), first.sha256());
    assertEquals(64, first.sha256().length());
    assertEquals(bytes.length(), first.size());
    assertEquals("image/png", first.mime());

    assertTrue(first.id().startsWith(first.sha256() + "."), first.id());

    MediaStore.Media same = media.put(bytes.copy(), "image/png").await();
    assertEquals(first.id(), same.id(), "identical bytes and type are stored once");

    MediaStore.Media other = media.put(bytes.copy(), "text/html").await();
    assertEquals(first.sha256(), other.sha256());
    assertNotEquals(first.id(), other.id(), "another type is another file");
    assertEquals("text/html", other.mime(), "nobody's upload takes another uploader's type");

    MediaStore.Media stored = media.get(first.id()).await();
    assertEquals(bytes, stored.data());
    assertEquals("image/png", stored.mime());
    assertEquals("text/html", media.get(other.id()).await().mime());
    long rows = pool.query("SELECT count(*) FROM media WHERE sha256 = '" + first.sha256() + "'").execute().await()
        .iterator().next().getLong(0);
    assertEquals(2, rows);
  }

  @Test
  void unknownHashIsNull() {
    assertNull(media.get("0".repeat(64)).await());
  }
}
