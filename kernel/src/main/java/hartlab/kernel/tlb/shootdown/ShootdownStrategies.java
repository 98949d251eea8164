package hartlab.kernel.tlb.shootdown;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.stream.Collectors;

/**
 * Finds shootdown strategies by name: the built-in ones and any on the class path (ServiceLoader).
 */
public final class ShootdownStrategies {
  public static final String DEFAULT = "ipi-sync";

  private ShootdownStrategies() {}

  /** Every strategy {@code loader} can see: the built-in ones first, then the others by name. */
  public static List<ShootdownStrategy> all(ClassLoader loader) {
    List<ShootdownStrategy> builtIn = new ArrayList<>();
    List<ShootdownStrategy> others = new ArrayList<>();
    for (ShootdownStrategy s : ServiceLoader.load(ShootdownStrategy.class, loader)) {
      (s.getClass().getPackage() == ShootdownStrategy.class.getPackage() ? builtIn : others).add(s);
    }
    others.sort(java.util.Comparator.comparing(ShootdownStrategy::name));
    builtIn.addAll(others);
    return builtIn;
  }

  /** The strategy called {@code name}; IllegalArgumentException naming the known ones otherwise. */
  public static ShootdownStrategy find(String name, ClassLoader loader) {
    List<ShootdownStrategy> all = all(loader);
    for (ShootdownStrategy s : all) {
      if (s.name().equals(name)) {
        return s;
      }
    }
    throw new IllegalArgumentException(
        "unknown shootdown strategy '"
            + name
            + "': known are "
            + all.stream().map(ShootdownStrategy::name).collect(Collectors.joining(", "))
            + " (a jar on the class path can add more)");
  }
}
