package im.server.admin;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AdminTokenTest {

  @Test
  void onlyTheExactTokenAfterBearerIsAccepted() {
    AdminToken token = new AdminToken("s3cret-token");
    assertTrue(token.enabled());
    assertTrue(token.accepts("Bearer s3cret-token"));
    assertTrue(token.accepts("bearer s3cret-token"));
    assertFalse(token.accepts("Bearer s3cret-toke"));
    assertFalse(token.accepts("Bearer s3cret-token2"));
    assertFalse(token.accepts("Basic s3cret-token"));
    assertFalse(token.accepts("s3cret-token"));
    assertFalse(token.accepts("Bearer "));
    assertFalse(token.accepts(null));
  }

  @Test
  void anEmptyTokenTurnsTheApiOffAndAcceptsNothing() {
    AdminToken off = new AdminToken("");
    assertFalse(off.enabled());
    assertFalse(off.accepts("Bearer "));
    assertFalse(off.accepts("Bearer"));
    assertFalse(off.accepts(null));
  }
}
