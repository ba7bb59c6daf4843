package im.server;

import im.shared.config.ImConfig;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static im.server.Kustomize.containers;
import static im.server.Kustomize.find;
import static im.server.Kustomize.name;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code k8s/} agrees with the code and with {@code k8s/README.md}, object by object, in both kustomizations an operator
 * applies ({@code k8s/base} and {@code k8s/overlays/dev}, rendered by {@link Kustomize}): the container's ports are the
 * node's defaults, its environment is exactly docs/protocol.md §1's variables and configures the node as intended,
 * the probes ask {@code /health}; every selector matches pod labels, every Service port reaches a declared container
 * port, every Secret or ConfigMap key a pod reads is defined (ConfigMaps by the manifests, Secrets by the README's
 * {@code kubectl create secret} commands); the image is named once and built, loaded and run under that name; the
 * Ingress lets WebSockets and media uploads through; the dev overlay's servers are where the node's URLs point.
 */
@SuppressWarnings("unchecked")
class K8sManifestTest {

  private static final Path K8S = Path.of("..", "k8s");

  /** docs/protocol.md §1, in full. */
  private static final Set<String> PROTOCOL_ENV = Set.of("IM_HTTP_PORT", "IM_TCP_PORT", "IM_NODE_ID",
      "IM_CLUSTER_HOST", "IM_CLUSTER_PORT", "IM_CLUSTER_MEMBERS", "IM_PG_URL", "IM_REDIS_URL", "IM_KAFKA_BOOTSTRAP",
      "IM_JWT_SECRET", "IM_ADMIN_TOKEN", "IM_PUSH_WEBHOOK_URL", "IM_PUSH_WEBHOOK_SECRET");
  private static final Set<String> SECRETS = Set.of("IM_PG_URL", "IM_JWT_SECRET", "IM_ADMIN_TOKEN", "IM_PUSH_WEBHOOK_SECRET");
  private static final Pattern CREATE_SECRET = Pattern.compile("kubectl create secret generic (\\S+)");
  private static final Pattern LITERAL = Pattern.compile("--from-literal=([A-Z_]+)=\"?(.*?)\"?(?: \\\\)?$");
  /** Shell expansions in a README command: a variable stands for a password, a command for a generated secret. */
  private static final String VARIABLE = "\\$\\{\\w+}|\\$\\w+";
  private static final String COMMAND = "\\$\\([^)]*\\)";

  private static List<Map<String, Object>> base;
  private static List<Map<String, Object>> dev;
  private static String readme;
  /** Secret name → key → the value the README gives, its shell expansions replaced by stand-ins. */
  private static final Map<String, Map<String, String>> readmeSecrets = new HashMap<>();

  @BeforeAll
  static void render() throws Exception {
    base = Kustomize.render(K8S.resolve("base"));
    dev = Kustomize.render(K8S.resolve("overlays/dev"));
    readme = Files.readString(K8S.resolve("README.md"));
    List<String> lines = readme.lines().toList();
    for (int i = 0; i < lines.size(); i++) {
      Matcher secret = CREATE_SECRET.matcher(lines.get(i));
      if (!secret.find()) {
        continue;
      }
      Map<String, String> keys = readmeSecrets.computeIfAbsent(secret.group(1), name -> new LinkedHashMap<>());
      while (lines.get(i).endsWith("\\")) {
        Matcher literal = LITERAL.matcher(lines.get(++i).strip());
        assertTrue(literal.find(), "a --from-literal line: " + lines.get(i));
        keys.put(literal.group(1), literal.group(2).replaceAll(COMMAND, "generated-0123456789abcdef").replaceAll(VARIABLE, "pw"));
      }
    }
    assertEquals(Set.of("im-secrets", "im-postgres"), readmeSecrets.keySet(), "the README's secrets");
  }

  private static List<List<Map<String, Object>>> renderings() {
    return List.of(base, dev);
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
    return (List<Map<String, Object>>) parent.getOrDefault(key, List.of());
  }

  private static Map<String, Object> imContainer(List<Map<String, Object>> objects) {
    List<Map<String, Object>> containers = containers(find(objects, "StatefulSet", "im"));
    assertEquals(1, containers.size());
    return containers.get(0);
  }

  private static Map<String, Integer> containerPorts(Map<String, Object> container) {
    Map<String, Integer> ports = new HashMap<>();
    list(container, "ports").forEach(p -> ports.put((String) p.get("name"), (Integer) p.get("containerPort")));
    return ports;
  }

  private static Map<String, String> labels(Map<String, Object> object, String... path) {
    Map<String, Object> metadata = map(object, path);
    return (Map<String, String>) metadata.getOrDefault("labels", Map.of());
  }

  private static List<Map<String, Object>> workloads(List<Map<String, Object>> objects) {
    return objects.stream().filter(object -> !containers(object).isEmpty()).toList();
  }

  /** The workloads whose pods carry every label of {@code selector}. */
  private static List<Map<String, Object>> selected(List<Map<String, Object>> objects, Map<String, String> selector) {
    assertFalse(selector.isEmpty(), "an empty selector selects everything");
    return workloads(objects).stream()
        .filter(w -> labels(w, "spec", "template", "metadata").entrySet().containsAll(selector.entrySet())).toList();
  }

  private static String image() {
    Map<String, Object> image = ((List<Map<String, Object>>) Kustomize.loadAll(K8S.resolve("base/kustomization.yaml"))
        .get(0).get("images")).get(0);
    return image.get("newName") + ":" + image.get("newTag");
  }

  @Test
  void everyObjectIsNamedOnceAndEveryWorkloadSelectsItsOwnPods() {
    for (List<Map<String, Object>> objects : renderings()) {
      Set<String> seen = new HashSet<>();
      for (Map<String, Object> object : objects) {
        assertNotNull(object.get("apiVersion"), "apiVersion of " + object);
        String id = object.get("kind") + "/" + name(object);
        assertTrue(seen.add(id), "duplicate " + id);
      }
      for (Map<String, Object> workload : workloads(objects)) {
        Map<String, String> selector = (Map<String, String>) map(workload, "spec", "selector").get("matchLabels");
        assertEquals(List.of(workload), selected(objects, selector), name(workload) + " selects its own pods only");
        for (Map<String, Object> container : containers(workload)) {
          String image = (String) container.get("image");
          assertTrue(image.matches("[^:]+:[\\w.-]+"), "an explicit tag: " + image);
          assertEquals("IfNotPresent", container.get("imagePullPolicy"), image);
          assertNotNull(map(container, "resources", "requests"), name(workload) + " requests resources");
        }
      }
    }
    assertTrue(seen(base).containsAll(Set.of("ConfigMap/im-config", "Service/im-cluster", "Service/im", "Service/im-tcp",
        "StatefulSet/im", "PodDisruptionBudget/im", "HorizontalPodAutoscaler/im", "Ingress/im")), seen(base).toString());
    assertTrue(seen(dev).containsAll(seen(base)), "the dev overlay keeps the whole application");
    assertTrue(seen(dev).containsAll(Set.of("Service/postgres", "StatefulSet/postgres", "Service/redis",
        "Deployment/redis", "ConfigMap/im-db-init")), seen(dev).toString());
  }

  private static Set<String> seen(List<Map<String, Object>> objects) {
    Set<String> ids = new HashSet<>();
    objects.forEach(object -> ids.add(object.get("kind") + "/" + name(object)));
    return ids;
  }

  @Test
  void theImageIsNamedOnceAndBuiltLoadedAndRunUnderThatName() throws Exception {
    String image = image();
    String version = Files.readString(Path.of("..", "pom.xml"))
        .replaceFirst("(?s).*?<artifactId>im-platform</artifactId>\\s*<version>([^<]+)</version>.*", "$1");
    assertEquals("im-server:" + version, image, "the image tag follows the project version");
    assertEquals("im-server", imContainer(Kustomize.loadAll(K8S.resolve("base/im.yaml"))).get("image"),
        "the manifest names the image without a tag; the kustomization sets it");
    for (List<Map<String, Object>> objects : renderings()) {
      assertEquals(image, imContainer(objects).get("image"));
    }
    for (String command : List.of("docker build -f k8s/Dockerfile -t ", "kind load docker-image ", "minikube image load ")) {
      Matcher used = Pattern.compile(Pattern.quote(command) + "(\\S+)").matcher(readme);
      assertTrue(used.find(), "k8s/README.md runs " + command);
      assertEquals(image, used.group(1), command);
    }

    String dockerfile = Files.readString(K8S.resolve("Dockerfile"));
    String jar = "verticles/target/" + Files.readString(Path.of("pom.xml"))
        .replaceFirst("(?s).*<finalName>([^<]+)</finalName>.*", "$1") + ".jar";
    assertTrue(dockerfile.contains("\nCOPY " + jar + " "), "the Dockerfile copies " + jar);
    List<String> ignore = Files.readAllLines(K8S.resolve("Dockerfile.dockerignore"));
    assertTrue(ignore.contains("!" + jar), "the build context keeps " + jar);
    Matcher expose = Pattern.compile("\nEXPOSE ([\\d ]+)\n").matcher(dockerfile);
    assertTrue(expose.find());
    assertEquals(new HashSet<>(containerPorts(imContainer(base)).values()),
        Set.of(expose.group(1).split(" ")).stream().map(Integer::valueOf).collect(java.util.stream.Collectors.toSet()));
  }

  @Test
  void theContainerPortsAreTheNodesDefaults() {
    ImConfig defaults = ImConfig.of(new JsonObject());
    assertEquals(Map.of("http", defaults.http().port(), "tcp", defaults.tcp().port(), "hazelcast", defaults.cluster().port()),
        containerPorts(imContainer(base)));
    assertEquals(Map.of("http", 8080, "tcp", 9000, "hazelcast", 5701), containerPorts(imContainer(base)));
  }

  @Test
  void theEnvironmentIsExactlyProtocolSection1AndConfiguresTheNode() {
    for (List<Map<String, Object>> objects : renderings()) {
      Map<String, String> configMap = (Map<String, String>) find(objects, "ConfigMap", "im-config").get("data");
      Set<String> names = new HashSet<>(configMap.keySet());
      Map<String, String> env = new HashMap<>(configMap);
      for (Map<String, Object> variable : list(imContainer(objects), "env")) {
        String name = (String) variable.get("name");
        assertTrue(names.add(name), name + " set twice");
        Map<String, Object> from = (Map<String, Object>) variable.get("valueFrom");
        if (SECRETS.contains(name)) {
          assertEquals("im-secrets", map(from, "secretKeyRef").get("name"), name + " comes from the secret");
          env.put(name, readmeSecrets.get("im-secrets").get(name));
        } else {
          env.put(name, name.equals("IM_CLUSTER_HOST") ? "127.0.0.1" : "im-0");
        }
      }
      assertEquals(PROTOCOL_ENV, names);
      assertTrue(SECRETS.stream().noneMatch(configMap::containsKey), "no secret in the ConfigMap");

      ImConfig config = ImConfig.load(null, env);
      Map<String, Integer> ports = containerPorts(imContainer(objects));
      assertEquals(ports.get("http"), config.http().port());
      assertEquals(ports.get("tcp"), config.tcp().port());
      assertEquals(ports.get("hazelcast"), config.cluster().port());
      assertEquals("im-0", config.nodeId());
      assertEquals("im", config.pg().database());
      assertEquals("pw", config.pg().password());
      String service = (String) map(find(objects, "StatefulSet", "im"), "spec").get("serviceName");
      List<String> members = config.cluster().members();
      assertTrue(members.size() >= 2, "seed members: " + members);
      for (int i = 0; i < members.size(); i++) {
        assertEquals("im-" + i + "." + service + ":" + ports.get("hazelcast"), members.get(i));
      }
    }
  }

  @Test
  void everySecretAndConfigMapKeyAPodReadsIsDefined() {
    for (List<Map<String, Object>> objects : renderings()) {
      for (Map<String, Object> workload : workloads(objects)) {
        for (Map<String, Object> container : containers(workload)) {
          for (Map<String, Object> variable : list(container, "env")) {
            Map<String, Object> from = (Map<String, Object>) variable.get("valueFrom");
            if (from != null && from.get("secretKeyRef") instanceof Map<?, ?> ref) {
              Map<String, String> secret = readmeSecrets.get((String) ref.get("name"));
              assertNotNull(secret, "k8s/README.md creates secret " + ref.get("name"));
              assertTrue(secret.containsKey((String) ref.get("key")), ref + " is created by k8s/README.md");
            } else if (from != null && from.get("configMapKeyRef") instanceof Map<?, ?> ref) {
              assertTrue(configMapData(objects, (String) ref.get("name")).containsKey((String) ref.get("key")), ref.toString());
            }
          }
          for (Map<String, Object> source : list(container, "envFrom")) {
            configMapData(objects, (String) map(source, "configMapRef").get("name"));
          }
        }
        Map<String, Object> podSpec = map(workload, "spec", "template", "spec");
        for (Map<String, Object> volume : list(podSpec, "volumes")) {
          if (volume.get("configMap") instanceof Map<?, ?> configMap) {
            Map<String, Object> data = configMapData(objects, (String) configMap.get("name"));
            list((Map<String, Object>) configMap, "items").forEach(item ->
                assertTrue(data.containsKey((String) item.get("key")), "volume item " + item));
          }
        }
      }
    }
  }

  private static Map<String, Object> configMapData(List<Map<String, Object>> objects, String name) {
    return (Map<String, Object>) find(objects, "ConfigMap", name).get("data");
  }

  @Test
  void bothProbesAskHealthOnTheHttpPort() {
    for (List<Map<String, Object>> objects : renderings()) {
      for (String probe : List.of("readinessProbe", "livenessProbe")) {
        Map<String, Object> get = map(imContainer(objects), probe, "httpGet");
        assertEquals("/health", get.get("path"), probe);
        Object port = get.get("port");
        assertEquals(8080, port instanceof String name ? containerPorts(imContainer(objects)).get(name) : port, probe);
      }
      int grace = (Integer) map(find(objects, "StatefulSet", "im"), "spec", "template", "spec")
          .get("terminationGracePeriodSeconds");
      assertTrue(grace > 30, "SIGTERM drain needs up to 30 s, grace is " + grace);
    }
  }

  @Test
  void everyServiceReachesADeclaredContainerPortOfItsPods() {
    for (List<Map<String, Object>> objects : renderings()) {
      for (Map<String, Object> service : objects.stream().filter(o -> "Service".equals(o.get("kind"))).toList()) {
        Map<String, Object> spec = map(service, "spec");
        List<Map<String, Object>> pods = selected(objects, (Map<String, String>) spec.get("selector"));
        assertEquals(1, pods.size(), "Service " + name(service) + " selects one workload's pods");
        Map<String, Integer> declared = new HashMap<>();
        containers(pods.get(0)).forEach(container -> declared.putAll(containerPorts(container)));
        for (Map<String, Object> port : list(spec, "ports")) {
          Object target = port.get("targetPort");
          Integer resolved = target instanceof String name ? declared.get(name) : (Integer) target;
          assertTrue(declared.containsValue(resolved), name(service) + " targets " + target + ", declared " + declared);
          if (port.get("nodePort") instanceof Integer nodePort) {
            assertTrue(nodePort >= 30000 && nodePort <= 32767, "node port in the default range: " + nodePort);
          }
        }
      }
    }
    Map<String, Object> headless = map(find(base, "Service", "im-cluster"), "spec");
    assertEquals("None", headless.get("clusterIP"));
    assertEquals(true, headless.get("publishNotReadyAddresses"));
    assertEquals("im-cluster", map(find(base, "StatefulSet", "im"), "spec").get("serviceName"));
    assertEquals("LoadBalancer", map(find(base, "Service", "im-tcp"), "spec").get("type"));
  }

  @Test
  void theBudgetAndTheAutoscalerPointAtTheNodes() {
    for (List<Map<String, Object>> objects : renderings()) {
      Map<String, String> pdb = (Map<String, String>) map(find(objects, "PodDisruptionBudget", "im"), "spec", "selector")
          .get("matchLabels");
      assertEquals(List.of(find(objects, "StatefulSet", "im")), selected(objects, pdb));
      Map<String, Object> target = map(find(objects, "HorizontalPodAutoscaler", "im"), "spec", "scaleTargetRef");
      find(objects, (String) target.get("kind"), (String) target.get("name"));
      Map<String, Object> resources = map(imContainer(objects), "resources");
      assertNotNull(map(resources, "requests").get("cpu"), "the HPA's utilization is relative to the CPU request");
      assertNotNull(map(resources, "limits").get("memory"), "the JVM sizes its heap from the memory limit");
    }
    assertTrue(readme.contains("metrics-server"), "k8s/README.md names the HPA's prerequisite");
  }

  @Test
  void theIngressCarriesWebSocketsAndMediaUploadsToTheHttpService() {
    ImConfig defaults = ImConfig.of(new JsonObject());
    for (List<Map<String, Object>> objects : renderings()) {
      Map<String, Object> ingress = find(objects, "Ingress", "im");
      Map<String, String> annotations = (Map<String, String>) map(ingress, "metadata").get("annotations");
      long idleSeconds = Math.max(defaults.realtime().heartbeatMs(), defaults.realtime().wsPingIntervalMs()) / 1000;
      for (String timeout : List.of("proxy-read-timeout", "proxy-send-timeout")) {
        long seconds = Long.parseLong(annotations.get("nginx.ingress.kubernetes.io/" + timeout));
        assertTrue(seconds > 2 * idleSeconds, timeout + " " + seconds + " s outlasts a WebSocket's quiet " + idleSeconds + " s");
      }
      String bodySize = annotations.get("nginx.ingress.kubernetes.io/proxy-body-size");
      assertTrue(bodySize.endsWith("m") && Long.parseLong(bodySize.replace("m", "")) * 1024 * 1024 >= defaults.mediaMaxBytes(),
          "proxy-body-size " + bodySize + " admits media.maxBytes");
      assertEquals("nginx", map(ingress, "spec").get("ingressClassName"));
      Map<String, Object> rule = list(map(ingress, "spec"), "rules").get(0);
      Map<String, Object> path = list(map(rule, "http"), "paths").get(0);
      assertEquals("/", path.get("path"));
      Map<String, Object> backend = map(path, "backend", "service");
      Map<String, Object> service = find(objects, "Service", (String) backend.get("name"));
      Object port = map(backend, "port").get("name");
      assertTrue(list(map(service, "spec"), "ports").stream().anyMatch(p -> port.equals(p.get("name"))), "port " + port);
      assertEquals(8080, list(map(service, "spec"), "ports").get(0).get("port"));
    }
  }

  @Test
  void theDevServersAreWhereTheNodesUrlsPointAndTheRoleMatchesTheUrl() {
    Map<String, String> env = new HashMap<>((Map<String, String>) find(dev, "ConfigMap", "im-config").get("data"));
    env.put("IM_PG_URL", readmeSecrets.get("im-secrets").get("IM_PG_URL"));
    ImConfig config = ImConfig.load(null, env);
    assertServiceAt(config.pg().host(), config.pg().port());
    var redis = java.net.URI.create(config.redis().url());
    assertServiceAt(redis.getHost(), redis.getPort());

    String script = (String) configMapData(dev, "im-db-init").get("init-im-role.sh");
    assertTrue(script.contains("-v role=" + config.pg().user() + " "), "the role IM_PG_URL logs in as: " + script);
    assertTrue(script.contains("-v database=" + config.pg().database() + " "), script);
    assertTrue(script.contains("-v password=\"$IM_DB_PASSWORD\""), script);
    Map<String, Object> postgres = find(dev, "StatefulSet", "postgres");
    List<String> mounts = list(containers(postgres).get(0), "volumeMounts").stream()
        .map(mount -> (String) mount.get("mountPath")).toList();
    Matcher sql = Pattern.compile("-f (/\\S+)/im-role.sql").matcher(script);
    assertTrue(sql.find() && mounts.contains(sql.group(1)), "the script's SQL is mounted: " + mounts);
    assertTrue(mounts.contains("/docker-entrypoint-initdb.d"), "the postgres image runs the script at init");
    assertTrue(readmeSecrets.get("im-secrets").get("IM_PG_URL").startsWith("postgresql://im:pw@"),
        "IM_PG_URL carries the role password the dev PostgreSQL is given (IM_DB_PASSWORD)");
  }

  private static void assertServiceAt(String host, int port) {
    Map<String, Object> service = find(dev, "Service", host);
    assertTrue(list(map(service, "spec"), "ports").stream().anyMatch(p -> Integer.valueOf(port).equals(p.get("port"))),
        "Service " + host + " listens on " + port);
  }

  @Test
  void theKindClusterMapsTheIngressAndTheTcpNodePort() {
    Map<String, Object> cluster = Kustomize.loadAll(K8S.resolve("kind/cluster.yaml")).get(0);
    List<Integer> mapped = new ArrayList<>();
    for (Map<String, Object> node : list(cluster, "nodes")) {
      list(node, "extraPortMappings").forEach(mapping -> mapped.add((Integer) mapping.get("containerPort")));
    }
    Object nodePort = list(map(find(base, "Service", "im-tcp"), "spec"), "ports").get(0).get("nodePort");
    assertTrue(mapped.containsAll(List.of(80, nodePort)), "mapped " + mapped);
    assertTrue(readme.contains("--config k8s/kind/cluster.yaml"), "k8s/README.md creates the cluster with it");
  }
}
