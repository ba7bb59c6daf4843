package im.shared.metrics;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.spi.VertxMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;

/**
 * The node's one metrics registry, rendered as Prometheus text for {@code GET /metrics}. Vert.x's own
 * meters (event bus, pools, net and HTTP servers) and {@link ImMetrics} land in the same registry:
 * build Vert.x with {@code Vertx.builder().with(new VertxOptions().setMetricsOptions(prometheus.options()))
 * .withMetrics(prometheus.factory())}, then {@code new ImMetrics(prometheus.registry())}.
 *
 * <p>Threading: the registry is thread-safe; {@link #scrape} walks every meter, so call it off the hot
 * path (an HTTP handler per scrape is fine).
 */
public final class Prometheus {

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** For {@code Vertx.builder().withMetrics(...)}: Vert.x then records into {@link #registry}. */
  public VertxMetricsFactory factory() {
    return new MicrometerMetricsFactory(registry);
  }

  /**
   * Vert.x only creates metrics when its options say so; every domain is on by default (event bus,
   * named pools, net/HTTP servers and clients, verticles). JVM metrics are left to a later issue.
   */
  public MicrometerMetricsOptions options() {
    return new MicrometerMetricsOptions().setEnabled(true);
  }

  /** The Prometheus text exposition format (version 0.0.4), content type {@link #CONTENT_TYPE}. */
  public String scrape() {
    return registry.scrape();
  }

  public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
}
