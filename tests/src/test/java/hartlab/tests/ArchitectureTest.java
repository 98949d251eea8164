package hartlab.tests;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The arrows of {@code hartlab/kernel/package-info.java} and DESIGN.md, held: modules below the
 * kernel never see it, kernel subpackages form no cycle and keep their layers, and nothing but the
 * board refers to {@code Kernel}.
 */
class ArchitectureTest {
  private static JavaClasses classes;

  @BeforeAll
  static void importClasses() {
    classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("hartlab");
  }

  @Test
  void modulesBelowTheKernelNeverUseIt() {
    noClasses()
        .that()
        .resideInAnyPackage("hartlab.cpu..", "hartlab.mmu..", "hartlab.sched..", "hartlab.loader..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("hartlab.kernel..")
        .check(classes);
  }

  @Test
  void kernelSubpackagesFormNoCycle() {
    slices().matching("hartlab.kernel.(*)..").should().beFreeOfCycles().check(classes);
  }

  @Test
  void kernelSubpackagesKeepTheirLayers() {
    layeredArchitecture()
        .consideringOnlyDependenciesInAnyPackage("hartlab.kernel..")
        .layer("board")
        .definedBy("hartlab.kernel")
        .layer("syscall")
        .definedBy("hartlab.kernel.syscall..")
        .layer("check")
        .definedBy("hartlab.kernel.check..")
        .layer("sched")
        .definedBy("hartlab.kernel.sched..")
        .layer("proc")
        .definedBy("hartlab.kernel.proc..")
        .layer("fs")
        .definedBy("hartlab.kernel.fs..")
        .layer("tlb")
        .definedBy("hartlab.kernel.tlb..")
        .layer("mm")
        .definedBy("hartlab.kernel.mm..")
        .layer("rcu")
        .definedBy("hartlab.kernel.rcu..")
        .layer("smp")
        .definedBy("hartlab.kernel.smp..")
        .layer("stats")
        .definedBy("hartlab.kernel.stats..")
        .layer("uapi")
        .definedBy("hartlab.kernel.uapi..")
        .whereLayer("board")
        .mayNotBeAccessedByAnyLayer()
        .whereLayer("syscall")
        .mayOnlyBeAccessedByLayers("board")
        .whereLayer("check")
        .mayOnlyBeAccessedByLayers("board")
        .whereLayer("sched")
        .mayOnlyBeAccessedByLayers("board", "syscall")
        .whereLayer("proc")
        .mayOnlyBeAccessedByLayers("board", "syscall", "sched")
        .whereLayer("fs")
        .mayOnlyBeAccessedByLayers("board", "syscall", "sched", "proc")
        .whereLayer("tlb")
        .mayOnlyBeAccessedByLayers("board", "syscall", "check", "sched", "proc")
        .whereLayer("mm")
        .mayOnlyBeAccessedByLayers("board", "syscall", "check", "sched", "proc", "fs", "tlb")
        .whereLayer("rcu")
        .mayOnlyBeAccessedByLayers("board", "syscall", "check", "sched", "proc", "fs", "tlb", "mm")
        .whereLayer("smp")
        .mayOnlyBeAccessedByLayers(
            "board", "syscall", "check", "sched", "proc", "fs", "tlb", "mm", "rcu")
        .check(classes);
  }

  @Test
  void onlyTheBoardRefersToTheKernel() {
    noClasses()
        .that()
        .doNotHaveFullyQualifiedName("hartlab.kernel.Machine")
        .and()
        .haveNameNotMatching("hartlab\\.kernel\\.Kernel(\\$.*)?")
        .should()
        .dependOnClassesThat()
        .haveFullyQualifiedName("hartlab.kernel.Kernel")
        .check(classes);
  }
}
