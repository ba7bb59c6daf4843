package im.loadtest;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The knobs of one load run, from {@code --key=value} arguments, with their defaults; {@link #parse} rejects
 * what cannot make a run.
 */
record LoadOptions(Target target, int pairs, int messages, int window, long durationMs, int rate, long drainMs,
                   String reportDir, boolean findMax, int step, int maxRate, long warmupMs) {

  static final String USAGE = String.join("\n",
      "usage: java -jar im-load-test.jar [--key=value ...]",
      Target.USAGE,
      "  --pairs=50           sender/peer pairs (2 x pairs users and connections)",
      "  --messages=200       messages per sender",
      "  --window=10          sends per sender awaiting their ack",
      "  --duration=SECONDS   send for this long instead of --messages",
      "  --rate=MSG_PER_S     open model: send at this total rate, spread evenly over the senders, whatever the",
      "                       replies (needs --duration; --window is ignored); latencies count from each message's",
      "                       due time, so a server that falls behind shows it",
      "  --drain-ms=5000      how long to wait after the last ack for deliveries still under way",
      "  --find-max=false     step the open-model rate up from --rate by --step, one run of --duration per step,",
      "                       until a step loses a message, misses its rate or has end-to-end p99 >= 50 ms (or",
      "                       --max-rate is passed); reports the highest rate held",
      "  --step=RATE          increment of --find-max (default: --rate)",
      "  --max-rate=0         highest rate --find-max tries (0: no limit)",
      "  --warmup=0           seconds of the same load first, with its own users, not reported: both JVMs compile",
      "                       the hot path before anything is measured (the generator's compiler competes for the",
      "                       cores in its first seconds)",
      ReportFiles.USAGE);

  /** @throws IllegalArgumentException for an unknown flag or a value no run can use */
  static LoadOptions parse(String[] args) {
    Set<String> known = new HashSet<>(Target.FLAGS);
    known.addAll(List.of("pairs", "messages", "window", "duration", "rate", "drain-ms", ReportFiles.FLAG, "find-max", "step",
        "max-rate", "warmup"));
    Flags given = Flags.parse(args, known);
    LoadOptions options = new LoadOptions(
        Target.from(given),
        given.integer("pairs", 50),
        given.integer("messages", 200),
        given.integer("window", 10),
        given.has("duration") ? durationMs(given.string("duration", "")) : 0,
        given.integer("rate", 0),
        given.integer("drain-ms", 5000),
        given.string(ReportFiles.FLAG, ""),
        Boolean.parseBoolean(given.string("find-max", "false")),
        given.integer("step", given.integer("rate", 0)),
        given.integer("max-rate", 0),
        given.has("warmup") ? durationMs(given.string("warmup", "")) : 0);
    if (options.pairs < 1 || options.messages < 1 || options.window < 1) {
      throw new IllegalArgumentException("--pairs, --messages and --window must be >= 1");
    }
    if (options.rate < 0 || (options.rate > 0 && !options.timed())) {
      throw new IllegalArgumentException("--rate must be >= 0, and an open-model run needs --duration");
    }
    if (options.findMax && (!options.openModel() || options.step < 1)) {
      throw new IllegalArgumentException("--find-max needs --rate (the first step), --duration (per step) and --step >= 1");
    }
    return options;
  }

  /** Whether senders keep a fixed schedule ({@code --rate}) rather than a window of sends awaiting their ack. */
  boolean openModel() {
    return rate > 0;
  }

  /** Whether senders stop at a deadline rather than after {@code messages} each. */
  boolean timed() {
    return durationMs > 0;
  }

  /** This run at another open-model rate: one step of {@code --find-max}. */
  LoadOptions atRate(int stepRate) {
    return new LoadOptions(target, pairs, messages, window, durationMs, stepRate, drainMs, reportDir, false, step, maxRate,
        0);
  }

  /** The warm-up: this load (at the first step's rate) for {@code --warmup}, with no report files. */
  LoadOptions warmUp() {
    return new LoadOptions(target, pairs, messages, window, warmupMs, rate, drainMs, "", false, step, maxRate, 0);
  }

  /** The first line of the report: what was run against which node. */
  String describe() {
    String amount = timed() ? "duration=" + durationMs / 1000.0 + "s" : "messages/sender=" + messages;
    String model = openModel() ? " rate=" + rate + "/s" : " window=" + window;
    return "transport=" + target.transport() + " pairs=" + pairs + " " + amount + model + " node=" + target.endpoint();
  }

  private static long durationMs(String value) {
    String seconds = value.endsWith("s") ? value.substring(0, value.length() - 1) : value;
    try {
      long ms = Math.round(Double.parseDouble(seconds) * 1000);
      if (ms <= 0) {
        throw new NumberFormatException();
      }
      return ms;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--duration and --warmup take a positive number of seconds: " + value);
    }
  }
}
