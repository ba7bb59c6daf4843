package im.loadtest;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * {@code --find-max}: one open-model run per rate, stepping up until a step is not held, and a closing table of
 * every step. A rate is held when every acked message arrived in order with no error, the achieved rate is within
 * {@value #ACHIEVED_SHARE} of the asked one, and end-to-end p99 stays under {@value #P99_LIMIT_MS} ms.
 * Each step signs up fresh users, so no step inherits another's backlog.
 */
final class MaxRateSearch {

  static final double P99_LIMIT_MS = 50;
  static final double ACHIEVED_SHARE = 0.95;

  /** One step's outcome. */
  record Step(int rate, double achieved, double deliveryP99Ms, double ackP99Ms, boolean clean) {

    boolean held() {
      return clean && achieved >= ACHIEVED_SHARE * rate && deliveryP99Ms < P99_LIMIT_MS;
    }

    static Step of(int rate, JsonObject summary) {
      return new Step(rate, summary.getDouble("ackedPerSecond"),
          summary.getJsonObject("deliveryMs").getDouble("p99"), summary.getJsonObject("ackMs").getDouble("p99"),
          summary.getBoolean("clean"));
    }
  }

  private MaxRateSearch() {
  }

  /**
   * Exit status: 0 when no step lost a message or met an error, 2 otherwise. Whether a rate was held is the
   * result, not a failure: the table says it.
   */
  static int run(LoadOptions options, Function<LoadOptions, Future<JsonObject>> measure) throws Exception {
    List<Step> steps = new ArrayList<>();
    int rate = options.rate();
    while (options.maxRate() == 0 || rate <= options.maxRate()) {
      System.err.printf("[find-max] step %d: %d msg/s%n", steps.size() + 1, rate);
      Step step = Step.of(rate, measure.apply(options.atRate(rate)).await(30, TimeUnit.MINUTES));
      steps.add(step);
      if (!step.held()) {
        break;
      }
      rate += options.step();
    }
    System.out.println(table(steps));
    return steps.stream().allMatch(Step::clean) ? 0 : 2;
  }

  static String table(List<Step> steps) {
    StringBuilder out = new StringBuilder("find-max  rate  achieved  e2e p99 ms  ack p99 ms  clean  held\n");
    for (Step step : steps) {
      out.append(String.format("find-max %6d %9.0f %11.1f %11.1f  %-5s  %s%n", step.rate(), step.achieved(),
          step.deliveryP99Ms(), step.ackP99Ms(), step.clean(), step.held() ? "yes" : "no"));
    }
    int best = steps.stream().filter(Step::held).mapToInt(Step::rate).max().orElse(0);
    out.append(best > 0
        ? String.format("highest rate held: %d msg/s (p99 end to end < %.0f ms, nothing lost)", best, P99_LIMIT_MS)
        : "no rate held: the first step already failed");
    return out.toString();
  }
}
