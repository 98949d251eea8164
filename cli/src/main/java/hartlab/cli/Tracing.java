package hartlab.cli;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import hartlab.kernel.stats.TraceRecorder;
import hartlab.kernel.stats.TraceRecorder.Event;
import hartlab.kernel.stats.Tracer;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code --trace FILE}: a run's timeline as Chrome trace-event JSON (opens in Perfetto and
 * chrome://tracing). Each hart is a process with two tracks: {@code task} (who runs, idle included)
 * and {@code kernel} (traps, shootdowns, IPIs sent and handled, an arrow from each send to its
 * handling). Grace periods are async slices of a {@code machine} process. Timestamps are virtual
 * cycles read as nanoseconds (a nominal 1 GHz clock), so a lockstep trace is the same on every run.
 */
final class Tracing {
  /** Default --trace-limit: about 100 MB of JSON at most. */
  static final long DEFAULT_LIMIT = 1_000_000;

  private static final int TASK_TRACK = 1;
  private static final int KERNEL_TRACK = 2;
  private static final int MACHINE_PID = 0;

  private final Path file;
  private final TraceRecorder recorder;

  Tracing(Path file, int harts, long limit) {
    this.file = file;
    this.recorder = new TraceRecorder(harts, limit);
  }

  Tracer tracer() {
    return recorder;
  }

  long dropped() {
    return recorder.dropped();
  }

  /** Writes the trace; call once the run is over. */
  void write() throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    try (OutputStream out = Files.newOutputStream(file);
        JsonGenerator g = new JsonFactory().createGenerator(out, JsonEncoding.UTF8)) {
      write(g);
    }
  }

  private void write(JsonGenerator g) throws IOException {
    List<List<Event>> harts = recorder.events();
    // A flow is drawn only when both its ends were kept.
    Set<Long> sent = new HashSet<>();
    Set<Long> handled = new HashSet<>();
    for (List<Event> l : harts) {
      for (Event e : l) {
        if (e.kind() == TraceRecorder.Kind.IPI_SENT) {
          sent.add(e.flow());
        } else if (e.kind() == TraceRecorder.Kind.IPI_HANDLED) {
          handled.add(e.flow());
        }
      }
    }
    g.writeStartObject();
    g.writeStringField("displayTimeUnit", "ns");
    g.writeObjectFieldStart("otherData");
    g.writeStringField("clock", "virtual cycles, shown as ns (1 cycle = 1 ns)");
    g.writeNumberField("droppedEvents", recorder.dropped());
    g.writeEndObject();
    g.writeArrayFieldStart("traceEvents");
    meta(g, "process_name", MACHINE_PID, 0, "machine");
    meta(g, "thread_name", MACHINE_PID, 1, "grace periods");
    for (int h = 0; h < harts.size(); h++) {
      int pid = h + 1;
      meta(g, "process_name", pid, 0, "hart " + h);
      meta(g, "thread_name", pid, TASK_TRACK, "task");
      meta(g, "thread_name", pid, KERNEL_TRACK, "kernel");
      List<Event> events = harts.get(h);
      long last = 0;
      for (Event e : events) {
        last = Math.max(last, e.end());
      }
      Event running = null;
      for (Event e : events) {
        switch (e.kind()) {
          case RUNNING -> {
            if (running != null) {
              task(g, pid, running, e.start());
            }
            running = e;
          }
          case SLICE -> complete(g, pid, KERNEL_TRACK, e.category(), e.name(), e.start(), e.end());
          case IPI_SENT -> {
            // One cycle long, so the flow's start has a slice to bind to in every viewer.
            complete(g, pid, KERNEL_TRACK, "ipi", e.name(), e.start(), e.start() + 1);
            if (handled.contains(e.flow())) {
              flow(g, "s", pid, e.start(), e.flow());
            }
          }
          case IPI_HANDLED -> {
            complete(g, pid, KERNEL_TRACK, "ipi", "IPI: " + e.name(), e.start(), e.end());
            if (sent.contains(e.flow())) {
              flow(g, "f", pid, e.start(), e.flow());
            }
          }
          case GRACE_PERIOD -> {
            async(g, "b", e);
            async(g, "e", e);
          }
        }
      }
      if (running != null) {
        task(g, pid, running, Math.max(last, running.start()));
      }
    }
    g.writeEndArray();
    g.writeEndObject();
  }

  private static void task(JsonGenerator g, int pid, Event e, long end) throws IOException {
    String name = e.flow() == 0 ? "idle" : e.name() + " (tid " + e.flow() + ")";
    complete(g, pid, TASK_TRACK, "sched", name, e.start(), end);
  }

  private static void meta(JsonGenerator g, String what, int pid, int tid, String name)
      throws IOException {
    g.writeStartObject();
    g.writeStringField("name", what);
    g.writeStringField("ph", "M");
    g.writeNumberField("pid", pid);
    g.writeNumberField("tid", tid);
    g.writeObjectFieldStart("args");
    g.writeStringField("name", name);
    g.writeEndObject();
    g.writeEndObject();
  }

  private static void complete(
      JsonGenerator g, int pid, int tid, String cat, String name, long start, long end)
      throws IOException {
    g.writeStartObject();
    g.writeStringField("name", name);
    g.writeStringField("cat", cat);
    g.writeStringField("ph", "X");
    g.writeFieldName("ts");
    g.writeNumber(micros(start));
    g.writeFieldName("dur");
    g.writeNumber(micros(Math.max(0, end - start)));
    g.writeNumberField("pid", pid);
    g.writeNumberField("tid", tid);
    g.writeEndObject();
  }

  private static void flow(JsonGenerator g, String ph, int pid, long at, long id)
      throws IOException {
    g.writeStartObject();
    g.writeStringField("name", "IPI");
    g.writeStringField("cat", "ipi");
    g.writeStringField("ph", ph);
    g.writeNumberField("id", id);
    g.writeFieldName("ts");
    g.writeNumber(micros(at));
    g.writeNumberField("pid", pid);
    g.writeNumberField("tid", KERNEL_TRACK);
    if (ph.equals("f")) {
      g.writeStringField("bp", "e");
    }
    g.writeEndObject();
  }

  private static void async(JsonGenerator g, String ph, Event e) throws IOException {
    g.writeStartObject();
    g.writeStringField("name", e.name());
    g.writeStringField("cat", "rcu");
    g.writeStringField("ph", ph);
    g.writeNumberField("id", e.flow());
    g.writeFieldName("ts");
    g.writeNumber(micros(ph.equals("b") ? e.start() : e.end()));
    g.writeNumberField("pid", MACHINE_PID);
    g.writeNumberField("tid", 1);
    g.writeObjectFieldStart("args");
    g.writeNumberField("startedOnHart", e.hart());
    g.writeEndObject();
    g.writeEndObject();
  }

  /** Cycles as microseconds (the format's unit) at 1 GHz, exactly: no floating point. */
  private static String micros(long cycles) {
    return (cycles / 1000) + "." + String.format("%03d", cycles % 1000);
  }
}
