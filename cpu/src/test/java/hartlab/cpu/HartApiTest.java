package hartlab.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import hartlab.mmu.Mmu;
import hartlab.mmu.PhysicalMemory;
import hartlab.mmu.Tlb;
import org.junit.jupiter.api.Test;

/** The kernel-facing accessors. */
class HartApiTest {
  @Test
  void registersAndX0() {
    Hart h = new Rig().hart;
    h.setReg(0, 5);
    assertEquals(0, h.reg(0));
    h.setReg(31, -7);
    assertEquals(-7, h.reg(31));
    assertThrows(IllegalArgumentException.class, () -> h.reg(32));
    assertThrows(IllegalArgumentException.class, () -> h.setReg(-1, 0));
  }

  @Test
  void saveAndLoadRegisters() {
    Hart h = new Rig().hart;
    long[] in = new long[32];
    for (int k = 0; k < 32; k++) {
      in[k] = 1000 + k;
    }
    h.loadRegisters(in);
    assertEquals(0, h.reg(0));
    assertEquals(1017, h.reg(17));
    long[] out = new long[32];
    out[0] = 99;
    h.saveRegisters(out);
    in[0] = 0;
    assertArrayEquals(in, out);
  }

  @Test
  void pcAndIdentity() {
    Rig rig = new Rig();
    rig.hart.setPc(0x1234);
    assertEquals(0x1234, rig.hart.pc());
    assertEquals(0, rig.hart.id());
    assertEquals(rig.mmu, rig.hart.mmu());
    assertEquals(CostModel.DEFAULT, rig.hart.cost());
  }

  @Test
  void mmuAndCodeCacheMustShareMemory() {
    PhysicalMemory a = new PhysicalMemory(1 << 20);
    PhysicalMemory b = new PhysicalMemory(1 << 20);
    assertThrows(
        IllegalArgumentException.class,
        () -> new Hart(0, new Mmu(a, new Tlb(16, 4), 25), new CodeCache(b), CostModel.DEFAULT));
  }
}
