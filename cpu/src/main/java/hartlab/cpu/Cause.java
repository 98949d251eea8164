package hartlab.cpu;

/**
 * Exception codes of {@code scause} (RISC-V privileged spec, table "Supervisor cause register").
 */
public final class Cause {
  public static final int INSTRUCTION_MISALIGNED = 0;
  public static final int INSTRUCTION_ACCESS_FAULT = 1;
  public static final int ILLEGAL_INSTRUCTION = 2;
  public static final int BREAKPOINT = 3;
  public static final int LOAD_MISALIGNED = 4;
  public static final int LOAD_ACCESS_FAULT = 5;
  public static final int STORE_MISALIGNED = 6;
  public static final int STORE_ACCESS_FAULT = 7;
  public static final int ECALL_FROM_U = 8;
  public static final int INSTRUCTION_PAGE_FAULT = 12;
  public static final int LOAD_PAGE_FAULT = 13;
  public static final int STORE_PAGE_FAULT = 15;

  private Cause() {}

  public static String name(int cause) {
    switch (cause) {
      case INSTRUCTION_MISALIGNED:
        return "instruction address misaligned";
      case INSTRUCTION_ACCESS_FAULT:
        return "instruction access fault";
      case ILLEGAL_INSTRUCTION:
        return "illegal instruction";
      case BREAKPOINT:
        return "breakpoint";
      case LOAD_MISALIGNED:
        return "load address misaligned";
      case LOAD_ACCESS_FAULT:
        return "load access fault";
      case STORE_MISALIGNED:
        return "store/AMO address misaligned";
      case STORE_ACCESS_FAULT:
        return "store/AMO access fault";
      case ECALL_FROM_U:
        return "environment call from U-mode";
      case INSTRUCTION_PAGE_FAULT:
        return "instruction page fault";
      case LOAD_PAGE_FAULT:
        return "load page fault";
      case STORE_PAGE_FAULT:
        return "store/AMO page fault";
      default:
        return "cause " + cause;
    }
  }

  public static boolean isPageFault(int cause) {
    return cause == INSTRUCTION_PAGE_FAULT || cause == LOAD_PAGE_FAULT || cause == STORE_PAGE_FAULT;
  }
}
