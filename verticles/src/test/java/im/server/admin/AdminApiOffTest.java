package im.server.admin;

import im.server.TestNode;
import org.junit.jupiter.api.Test;

import static im.server.TestNode.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Without IM_ADMIN_TOKEN the operators API does not exist: every /admin/* path is 404, whatever the token. */
class AdminApiOffTest {

  @Test
  void everyAdminPathIsNotFound() {
    try (TestNode node = TestNode.start()) {
      var nodes = await(node.http().get("/admin/nodes", "anything"));
      assertEquals(404, nodes.status());
      assertEquals("not_found", nodes.errorCode());
      assertEquals(404, await(node.http().get("/admin/nodes", null)).status());
      assertEquals(404, await(node.http().post("/admin/users/u1/kick", "", new io.vertx.core.json.JsonObject())).status());
      assertEquals(200, await(node.http().get("/health", null)).status());
    }
  }
}
