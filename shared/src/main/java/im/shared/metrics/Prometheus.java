package im.shared.metrics;

import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
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
 * <p>The JVM's own meters are bound here too, so operators and the load tests read heap, GC pauses, threads,
 * loaded classes, CPU use and open files from the same scrape ({@code jvm_memory_used_bytes},
 * {@code jvm_gc_pause_seconds}, {@code jvm_threads_live_threads}, {@code jvm_classes_loaded_classes},
 * {@code process_cpu_usage}, {@code system_cpu_usage}, {@code process_files_open_files}, ...).
 *
 * <p>Threading: the registry is thread-safe; {@link #scrape} walks every meter, so call it off the hot
 * path (an HTTP handler per scrape is fine).
 */
public final class Prometheus implements AutoCloseable {

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  /** Listens to the JVM's GC notifications until {@link #close}. */
  private final JvmGcMetrics gcMetrics = new JvmGcMetrics();

  public Prometheus() {
    new JvmMemoryMetrics().bindTo(registry);
    gcMetrics.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** For {@code Vertx.builder().withMetrics(...)}: Vert.x then records into {@link #registry}. */
  public VertxMetricsFactory factory() {
    return new MicrometerMetricsFactory(registry);
  }

  /**
   * Vert.x only creates metrics when its options say so; every domain is on by default (event bus,
   * named pools, net/HTTP servers and clients, verticles). Its own JVM switch stays off: the JVM binders are
   * bound above, once, whatever Vert.x does.
   */
  public MicrometerMetricsOptions options() {
    return new MicrometerMetricsOptions().setEnabled(true);
  }

  /** The Prometheus text exposition format (version 0.0.4), content type {@link #CONTENT_TYPE}. */
  public String scrape() {
    return registry.scrape();
  }

  /** Stops listening to GC notifications; a node that stops must not leave its listener in the JVM. */
  @Override
  public void close() {
    gcMetrics.close();
  }

  public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
}
