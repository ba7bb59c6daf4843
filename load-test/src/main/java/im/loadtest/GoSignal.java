package im.loadtest;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * The start line that several generator processes of one run share. A script that runs a large scenario as several
 * processes (one process holds at most ~19,500 sockets here) starts each with {@code --await-go=true}: once set up, a
 * process prints {@code [scenario] ready: ...} on stderr and waits for a line on its stdin; the script sends that line
 * to all of them once every one is ready, so that their connections are all held at the same time, or their storms
 * drop at the same moment. Blocks the calling thread: call it from {@code main}, never from an event loop.
 */
final class GoSignal {

  static final String FLAG = "await-go";
  static final String USAGE =
      "  --await-go=false     once set up, print a '[scenario] ready: ...' line on stderr and wait for a line on\n"
      + "                       stdin before going on: starts several generator processes of one run together";

  private GoSignal() {}

  /** Returns at once unless {@code --await-go=true}; else announces {@code what} and waits for the go line. */
  static void await(Flags given, String scenario, String what) throws IOException {
    if (!Boolean.parseBoolean(given.string(FLAG, "false"))) {
      return;
    }
    System.err.printf("[%s] ready: %s; waiting for a line on stdin%n", scenario, what);
    // Not closed: closing it would close System.in, which is not this method's.
    BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    if (stdin.readLine() == null) {
      throw new IOException("stdin closed before the go line: the script that started this run is gone");
    }
    System.err.printf("[%s] go%n", scenario);
  }
}
