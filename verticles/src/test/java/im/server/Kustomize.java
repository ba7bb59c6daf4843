package im.server;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Renders a kustomization of {@code k8s/} the way {@code kubectl apply -k} would, for tests on a machine without
 * kustomize: resources (files and other kustomizations), a {@code configMapGenerator} with plain names, strategic-merge
 * {@code patches} (maps merged key by key, lists of named items merged by name) and {@code images}. Any other
 * kustomize field fails the test instead of being ignored, so a rendering here never differs silently from the real one.
 */
@SuppressWarnings("unchecked")
final class Kustomize {

  private static final Set<String> MODELLED = Set.of("apiVersion", "kind", "resources", "images", "configMapGenerator",
      "generatorOptions", "patches");

  private Kustomize() {}

  /** Every object the kustomization in {@code directory} produces, in order. */
  static List<Map<String, Object>> render(Path directory) {
    Map<String, Object> kustomization = loadAll(directory.resolve("kustomization.yaml")).get(0);
    assertTrue(MODELLED.containsAll(kustomization.keySet()), directory + " uses a field this rendering does not model: "
        + kustomization.keySet());
    List<Map<String, Object>> objects = new ArrayList<>();
    for (String resource : (List<String>) kustomization.getOrDefault("resources", List.of())) {
      Path path = directory.resolve(resource).normalize();
      objects.addAll(Files.isDirectory(path) ? render(path) : loadAll(path));
    }
    objects.addAll(generatedConfigMaps(directory, kustomization));
    for (Map<String, Object> patch : (List<Map<String, Object>>) kustomization.getOrDefault("patches", List.of())) {
      assertEquals(Set.of("path"), patch.keySet(), "only file patches are modelled");
      Map<String, Object> change = loadAll(directory.resolve((String) patch.get("path"))).get(0);
      merge(find(objects, (String) change.get("kind"), name(change)), change);
    }
    for (Map<String, Object> image : (List<Map<String, Object>>) kustomization.getOrDefault("images", List.of())) {
      setImage(objects, image);
    }
    return objects;
  }

  static List<Map<String, Object>> loadAll(Path file) {
    try {
      List<Map<String, Object>> documents = new ArrayList<>();
      for (Object document : new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(Files.readString(file))) {
        if (document != null) {
          documents.add((Map<String, Object>) document);
        }
      }
      return documents;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String name(Map<String, Object> object) {
    Map<String, Object> metadata = (Map<String, Object>) object.get("metadata");
    assertNotNull(metadata, "an object without metadata: " + object);
    return (String) metadata.get("name");
  }

  static Map<String, Object> find(List<Map<String, Object>> objects, String kind, String name) {
    List<Map<String, Object>> found = objects.stream()
        .filter(object -> kind.equals(object.get("kind")) && name.equals(name(object))).toList();
    assertEquals(1, found.size(), kind + "/" + name);
    return found.get(0);
  }

  /** The containers of a workload's pod template (init containers included); empty for other kinds. */
  static List<Map<String, Object>> containers(Map<String, Object> object) {
    Map<String, Object> spec = (Map<String, Object>) object.get("spec");
    Map<String, Object> template = spec == null ? null : (Map<String, Object>) spec.get("template");
    if (template == null) {
      return List.of();
    }
    Map<String, Object> podSpec = (Map<String, Object>) template.get("spec");
    List<Map<String, Object>> containers = new ArrayList<>((List<Map<String, Object>>) podSpec.get("containers"));
    containers.addAll((List<Map<String, Object>>) podSpec.getOrDefault("initContainers", List.of()));
    return containers;
  }

  private static List<Map<String, Object>> generatedConfigMaps(Path directory, Map<String, Object> kustomization) {
    List<Map<String, Object>> generators =
        (List<Map<String, Object>>) kustomization.getOrDefault("configMapGenerator", List.of());
    if (generators.isEmpty()) {
      return List.of();
    }
    Map<String, Object> options = (Map<String, Object>) kustomization.getOrDefault("generatorOptions", Map.of());
    // With the hash suffix kustomize renames the ConfigMap and rewrites every reference; that is not modelled.
    assertEquals(true, options.get("disableNameSuffixHash"), directory + ": generated names must be plain");
    List<Map<String, Object>> configMaps = new ArrayList<>();
    for (Map<String, Object> generator : generators) {
      assertEquals(Set.of("name", "files"), generator.keySet(), "only file generators are modelled");
      Map<String, Object> data = new LinkedHashMap<>();
      for (String file : (List<String>) generator.get("files")) {
        assertFalse(file.contains("="), "key=file form is not modelled: " + file);
        Path path = directory.resolve(file);
        try {
          data.put(path.getFileName().toString(), Files.readString(path));
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
      Map<String, Object> metadata = new LinkedHashMap<>(Map.of("name", generator.get("name")));
      if (options.containsKey("labels")) {
        metadata.put("labels", options.get("labels"));
      }
      configMaps.add(new LinkedHashMap<>(Map.of("apiVersion", "v1", "kind", "ConfigMap", "metadata", metadata,
          "data", data)));
    }
    return configMaps;
  }

  /** Strategic merge as far as our patches need it: maps key by key, lists of named maps item by item. */
  private static void merge(Map<String, Object> target, Map<String, Object> patch) {
    for (var entry : patch.entrySet()) {
      Object current = target.get(entry.getKey());
      Object change = entry.getValue();
      if (current instanceof Map<?, ?> currentMap && change instanceof Map<?, ?> changeMap) {
        merge((Map<String, Object>) currentMap, (Map<String, Object>) changeMap);
      } else if (current instanceof List<?> currentList && change instanceof List<?> changeList && named(changeList)) {
        for (Object item : changeList) {
          Map<String, Object> changed = (Map<String, Object>) item;
          currentList.stream().map(existing -> (Map<String, Object>) existing)
              .filter(existing -> changed.get("name").equals(existing.get("name"))).findFirst()
              .ifPresentOrElse(existing -> merge(existing, changed), () -> ((List<Object>) currentList).add(changed));
        }
      } else {
        target.put(entry.getKey(), change);
      }
    }
  }

  private static boolean named(List<?> items) {
    return items.stream().allMatch(item -> item instanceof Map<?, ?> map && map.get("name") instanceof String);
  }

  private static void setImage(List<Map<String, Object>> objects, Map<String, Object> image) {
    String name = (String) image.get("name");
    String newName = (String) image.getOrDefault("newName", name);
    Object tag = image.get("newTag");
    for (Map<String, Object> object : objects) {
      for (Map<String, Object> container : containers(object)) {
        String current = (String) container.get("image");
        int colon = current.lastIndexOf(':');
        String currentName = colon > current.lastIndexOf('/') ? current.substring(0, colon) : current;
        if (currentName.equals(name)) {
          container.put("image", tag == null ? newName : newName + ":" + tag);
        }
      }
    }
  }
}
