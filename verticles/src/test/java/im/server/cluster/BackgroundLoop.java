package im.server.cluster;

/**
 * Work a fault test keeps running on a thread of its own while it breaks things (senders, churning clients) until
 * {@link #stop}: a failure on that thread fails the test there, and so does a loop that does not stop in time.
 *
 * @param <SELF> the subclass, so that {@code new X(...).start()} is an {@code X}
 */
abstract class BackgroundLoop<SELF extends BackgroundLoop<SELF>> implements Runnable {

  volatile Throwable failure;

  private final String name;
  private final long stopLimitMs;
  private final Thread thread;
  private volatile boolean stopping;

  BackgroundLoop(String name, long stopLimitMs) {
    this.name = name;
    this.stopLimitMs = stopLimitMs;
    this.thread = new Thread(this, name);
  }

  @SuppressWarnings("unchecked")
  SELF start() {
    thread.start();
    return (SELF) this;
  }

  /** Asks the loop to stop, waits for it, and fails the test if it failed or is still running. */
  void stop() throws InterruptedException {
    stopping = true;
    thread.join(stopLimitMs);
    if (thread.isAlive()) {
      throw new AssertionError(name + " did not stop");
    }
    if (failure != null) {
      throw new AssertionError(name + " failed", failure);
    }
  }

  /** Whether {@link #stop} was called: the loop checks it between rounds. */
  boolean stopping() {
    return stopping;
  }

  /** Runs until {@link #stopping}; whatever it throws fails the test at {@link #stop}. */
  abstract void loop() throws Exception;

  @Override
  public final void run() {
    try {
      loop();
    } catch (Throwable e) {
      failure = e;
    }
  }
}
