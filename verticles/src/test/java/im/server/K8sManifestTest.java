package im.server;

import im.shared.config.ImConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The manifests in {@code k8s/} agree with the code: the container's ports are the node's defaults, its
 * environment is exactly docs/protocol.md §1's variables and configures the node as intended, the probes ask
 * {@code /health}, and the Services, PodDisruptionBudget and HPA point at the StatefulSet's pods.
 */
@SuppressWarnings("unchecked")
class K8sManifestTest {

  /** docs/protocol.md §1, in full. */
  private static final Set<String> PROTOCOL_ENV = Set.of("IM_HTTP_PORT", "IM_TCP_PORT", "IM_NODE_ID",
      "IM_CLUSTER_HOST", "IM_CLUSTER_PORT", "IM_CLUSTER_MEMBERS", "IM_PG_URL", "IM_REDIS_URL", "IM_KAFKA_BOOTSTRAP",
      "IM_JWT_SECRET", "IM_ADMIN_TOKEN", "IM_PUSH_WEBHOOK_URL", "IM_PUSH_WEBHOOK_SECRET");
  private static final Set<String> SECRETS = Set.of("IM_PG_URL", "IM_JWT_SECRET", "IM_ADMIN_TOKEN", "IM_PUSH_WEBHOOK_SECRET");

  private static final Map<String, Map<String, Object>> byKind = new HashMap<>();

  @BeforeAll
  static void load() throws Exception {
    Path dir = Path.of("..", "k8s");
    try (var files = Files.list(dir)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).toList()) {
        Yaml yaml = new Yaml(new SafeConstructor(new LoaderOptions()));
        for (Object document : yaml.loadAll(Files.readString(file))) {
          Map<String, Object> manifest = (Map<String, Object>) document;
          String kind = (String) manifest.get("kind");
          String name = (String) map(manifest, "metadata").get("name");
          assertTrue(byKind.put(kind + "/" + name, manifest) == null, "duplicate " + kind + "/" + name);
        }
      }
    }
  }

  private static Map<String, Object> map(Map<String, Object> parent, String... path) {
    Map<String, Object> current = parent;
    for (String key : path) {
      current = (Map<String, Object>) current.get(key);
      assertNotNull(current, "missing " + key);
    }
    return current;
  }

  private static List<Map<String, Object>> list(Map<String, Object> parent, String key) {
    return (List<Map<String, Object>>) parent.get(key);
  }

  private static Map<String, Object> manifest(String kindAndName) {
    Map<String, Object> manifest = byKind.get(kindAndName);
    assertNotNull(manifest, kindAndName + " in k8s/: " + byKind.keySet());
    return manifest;
  }

  private static Map<String, Object> container() {
    List<Map<String, Object>> containers = list(map(manifest("StatefulSet/im"), "spec", "template", "spec"), "containers");
    assertEquals(1, containers.size());
    return containers.get(0);
  }

  private static Map<String, Integer> containerPorts() {
    Map<String, Integer> ports = new HashMap<>();
    list(container(), "ports").forEach(p -> ports.put((String) p.get("name"), (Integer) p.get("containerPort")));
    return ports;
  }

  @Test
  void theContainerPortsAreTheNodesDefaults() {
    ImConfig defaults = ImConfig.of(new io.vertx.core.json.JsonObject());
    assertEquals(Map.of("http", defaults.http().port(), "tcp", defaults.tcp().port(), "hazelcast", defaults.cluster().port()),
        containerPorts());
    assertEquals(Map.of("http", 8080, "tcp", 9000, "hazelcast", 5701), containerPorts());
  }

  @Test
  void theEnvironmentIsExactlyProtocolSection1AndConfiguresTheNode() {
    Map<String, String> configMap = (Map<String, String>) manifest("ConfigMap/im-config").get("data");
    Set<String> names = new HashSet<>(configMap.keySet());
    Map<String, String> env = new HashMap<>(configMap);
    for (Map<String, Object> var : list(container(), "env")) {
      String name = (String) var.get("name");
      assertTrue(names.add(name), name + " set twice");
      Map<String, Object> from = (Map<String, Object>) var.get("valueFrom");
      if (SECRETS.contains(name)) {
        assertEquals("im-secrets", map(from, "secretKeyRef").get("name"), name + " comes from the secret");
        env.put(name, name.equals("IM_PG_URL") ? "postgresql://im:pw@postgres:5432/im" : "s3cret-s3cret-s3cret");
      } else {
        env.put(name, name.equals("IM_CLUSTER_HOST") ? "127.0.0.1" : "im-0");
      }
    }
    assertEquals(PROTOCOL_ENV, names);
    assertTrue(SECRETS.stream().noneMatch(configMap::containsKey), "no secret in the ConfigMap");

    ImConfig config = ImConfig.load(null, env);
    Map<String, Integer> ports = containerPorts();
    assertEquals(ports.get("http"), config.http().port());
    assertEquals(ports.get("tcp"), config.tcp().port());
    assertEquals(ports.get("hazelcast"), config.cluster().port());
    assertEquals("im-0", config.nodeId());
    assertEquals("im", config.pg().database());
    assertEquals("pw", config.pg().password());
    String service = (String) map(manifest("StatefulSet/im"), "spec").get("serviceName");
    List<String> members = config.cluster().members();
    assertTrue(members.size() >= 2, "seed members: " + members);
    for (int i = 0; i < members.size(); i++) {
      assertEquals("im-" + i + "." + service + ":" + ports.get("hazelcast"), members.get(i));
    }
  }

  @Test
  void bothProbesAskHealthOnTheHttpPort() {
    for (String probe : List.of("readinessProbe", "livenessProbe")) {
      Map<String, Object> get = map(container(), probe, "httpGet");
      assertEquals("/health", get.get("path"), probe);
      Object port = get.get("port");
      assertEquals(8080, port instanceof String name ? containerPorts().get(name) : port, probe);
    }
    int grace = (Integer) map(manifest("StatefulSet/im"), "spec", "template", "spec").get("terminationGracePeriodSeconds");
    assertTrue(grace > 30, "SIGTERM drain needs up to 30 s, grace is " + grace);
  }

  @Test
  void servicesBudgetAndAutoscalerPointAtThePods() {
    Map<String, Object> headless = map(manifest("Service/im-cluster"), "spec");
    assertEquals("None", headless.get("clusterIP"));
    assertEquals(true, headless.get("publishNotReadyAddresses"));
    assertEquals("im-cluster", map(manifest("StatefulSet/im"), "spec").get("serviceName"));
    Map<String, Integer> ports = containerPorts();
    List<Object> exposed = new ArrayList<>();
    for (String service : List.of("Service/im-cluster", "Service/im", "Service/im-tcp")) {
      Map<String, Object> spec = map(manifest(service), "spec");
      assertEquals(Map.of("app", "im"), spec.get("selector"), service);
      for (Map<String, Object> port : list(spec, "ports")) {
        Object target = port.get("targetPort");
        int resolved = target instanceof String name ? ports.get(name) : (Integer) target;
        assertEquals(port.get("port"), resolved, service);
        exposed.add(resolved);
      }
    }
    assertTrue(exposed.containsAll(List.of(8080, 9000, 5701)), "exposed " + exposed);
    assertEquals(Map.of("app", "im"), map(manifest("PodDisruptionBudget/im"), "spec", "selector").get("matchLabels"));
    Map<String, Object> target = map(manifest("HorizontalPodAutoscaler/im"), "spec", "scaleTargetRef");
    assertEquals("StatefulSet", target.get("kind"));
    assertEquals("im", target.get("name"));
    Map<String, Object> resources = map(container(), "resources");
    assertNotNull(map(resources, "requests").get("cpu"), "the HPA needs a CPU request");
    assertNotNull(map(resources, "limits").get("memory"));
  }
}
