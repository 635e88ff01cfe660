package io.bge4j.train.plan;

import ai.djl.Device;
import ai.djl.util.cuda.CudaUtils;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;

/**
 * What memory a training step may use, as seen by this process: physical RAM ({@code /proc/meminfo}), the
 * container's cgroup limit (v2 {@code memory.max}, v1 {@code memory/memory.limit_in_bytes}), the JVM's
 * heap and direct-memory ceilings and, on a GPU, the device's free memory.
 *
 * <p>Usage: {@code MemoryAvailability a = MemoryAvailability.probe(Device.cpu()); a.hostBudgetBytes()}
 *
 * @param physicalBytes MemTotal
 * @param availableBytes MemAvailable (what the kernel could give without swapping), at probe time
 * @param cgroupLimitBytes the container's memory limit, when one is set
 * @param cgroupUsageBytes the container's current usage, when known
 * @param processResidentBytes this process's VmRSS at probe time (already counted in used memory)
 * @param jvmMaxHeapBytes {@code Runtime.maxMemory()}
 * @param jvmMaxDirectBytes {@code -XX:MaxDirectMemorySize}, or the heap ceiling when not set (the JVM default);
 *     libtorch tensors are native allocations outside both, so this is reported, not budgeted
 * @param gpuFreeBytes free device memory when training on a GPU, at probe time (probe before moving the model
 *     to the device, or its weights are counted twice: the plan is then conservative)
 * @param gpuTotalBytes total device memory when training on a GPU
 */
public record MemoryAvailability(long physicalBytes, long availableBytes, OptionalLong cgroupLimitBytes,
        OptionalLong cgroupUsageBytes, long processResidentBytes, long jvmMaxHeapBytes, long jvmMaxDirectBytes,
        OptionalLong gpuFreeBytes, OptionalLong gpuTotalBytes) {

    /** cgroup v1 reports "no limit" as a huge page-rounded number; anything above this is no limit. */
    static final long NO_LIMIT = 1L << 60;

    /** Validates the numbers. */
    public MemoryAvailability {
        if (physicalBytes <= 0 || availableBytes < 0 || processResidentBytes < 0 || jvmMaxHeapBytes <= 0) {
            throw new IllegalArgumentException("memory figures must be positive: physical " + physicalBytes
                    + ", available " + availableBytes + ", resident " + processResidentBytes + ", heap "
                    + jvmMaxHeapBytes);
        }
    }

    /** @return true when the step runs on a GPU (the device budget applies) */
    public boolean onGpu() {
        return gpuFreeBytes.isPresent();
    }

    /**
     * The resident size this process may grow to on the host: its current size plus what the kernel has
     * available, and no more than the cgroup limit minus the rest of the container's usage.
     *
     * @return bytes
     */
    public long hostBudgetBytes() {
        long free = processResidentBytes + availableBytes;
        if (cgroupLimitBytes.isPresent() && cgroupLimitBytes.getAsLong() < NO_LIMIT) {
            long others = cgroupUsageBytes.isPresent()
                    ? Math.max(0, cgroupUsageBytes.getAsLong() - processResidentBytes) : 0;
            free = Math.min(free, cgroupLimitBytes.getAsLong() - others);
        }
        return Math.max(0, free);
    }

    /** @return one line, e.g. {@code host: 23.5 GiB RAM, 9.8 GiB available, cgroup no limit, heap 1.0 GiB} */
    public String describe() {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
                "host: %s GiB RAM, %s GiB available, this process %s GiB, cgroup %s, JVM heap max %s GiB,"
                        + " direct max %s GiB; budget %s GiB",
                MemoryEstimate.gib(physicalBytes), MemoryEstimate.gib(availableBytes),
                MemoryEstimate.gib(processResidentBytes),
                cgroupLimitBytes.isPresent() && cgroupLimitBytes.getAsLong() < NO_LIMIT
                        ? "limit " + MemoryEstimate.gib(cgroupLimitBytes.getAsLong()) + " GiB" : "no limit",
                MemoryEstimate.gib(jvmMaxHeapBytes), MemoryEstimate.gib(jvmMaxDirectBytes),
                MemoryEstimate.gib(hostBudgetBytes())));
        if (onGpu()) {
            sb.append(String.format(Locale.ROOT, "; GPU %s GiB free of %s GiB", MemoryEstimate.gib(gpuFreeBytes.getAsLong()),
                    MemoryEstimate.gib(gpuTotalBytes.orElse(gpuFreeBytes.getAsLong()))));
        }
        return sb.toString();
    }

    /**
     * Reads the figures of this machine, this process and, for a GPU device, the device.
     *
     * @param device the training device
     * @return the availability now
     */
    public static MemoryAvailability probe(Device device) {
        OptionalLong gpuFree = OptionalLong.empty();
        OptionalLong gpuTotal = OptionalLong.empty();
        if (device.isGpu()) {
            MemoryUsage u = CudaUtils.getGpuMemory(device);
            gpuTotal = OptionalLong.of(u.getMax());
            gpuFree = OptionalLong.of(u.getMax() - u.getUsed());
        }
        return probe(Path.of("/"), Runtime.getRuntime().maxMemory(),
                ManagementFactory.getRuntimeMXBean().getInputArguments(), gpuFree, gpuTotal);
    }

    /** The host part of {@link #probe(Device)} below a file-system root, so tests can supply the files. */
    static MemoryAvailability probe(Path root, long maxHeap, List<String> jvmArgs, OptionalLong gpuFree,
            OptionalLong gpuTotal) {
        Path meminfo = root.resolve("proc/meminfo");
        long total = kbField(meminfo, "MemTotal").orElseThrow(() -> new IllegalStateException(
                "cannot read MemTotal from " + meminfo + "; the memory planner needs Linux /proc"));
        long available = kbField(meminfo, "MemAvailable").orElse(total);
        long rss = kbField(root.resolve("proc/self/status"), "VmRSS").orElse(0);
        OptionalLong limit = number(root.resolve("sys/fs/cgroup/memory.max"));
        OptionalLong usage = number(root.resolve("sys/fs/cgroup/memory.current"));
        if (limit.isEmpty()) {
            limit = number(root.resolve("sys/fs/cgroup/memory/memory.limit_in_bytes"));
            usage = number(root.resolve("sys/fs/cgroup/memory/memory.usage_in_bytes"));
        }
        return new MemoryAvailability(total, available, limit, usage, rss, maxHeap, maxDirect(jvmArgs, maxHeap),
                gpuFree, gpuTotal);
    }

    static long maxDirect(List<String> jvmArgs, long maxHeap) {
        long v = maxHeap;
        for (String a : jvmArgs) {
            if (a.startsWith("-XX:MaxDirectMemorySize=")) {
                v = parseSize(a.substring(a.indexOf('=') + 1));
            }
        }
        return v;
    }

    /** @param s a JVM size such as {@code 512m}, {@code 2G}, {@code 1048576} @return bytes */
    static long parseSize(String s) {
        String t = s.trim().toLowerCase(Locale.ROOT);
        long mult = 1;
        char last = t.isEmpty() ? ' ' : t.charAt(t.length() - 1);
        if (last == 'k' || last == 'm' || last == 'g' || last == 't') {
            mult = 1L << (10 * ("kmgt".indexOf(last) + 1));
            t = t.substring(0, t.length() - 1);
        }
        try {
            return Long.parseLong(t) * mult;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a JVM memory size: '" + s + "' (expected e.g. 512m or 2g)", e);
        }
    }

    /** A {@code Name:   123 kB} line of a /proc file, in bytes. */
    static OptionalLong kbField(Path file, String name) {
        try {
            for (String line : Files.readAllLines(file)) {
                if (line.startsWith(name + ":")) {
                    String digits = line.substring(name.length() + 1).trim().split("\\s+")[0];
                    return OptionalLong.of(Long.parseLong(digits) * 1024);
                }
            }
        } catch (IOException | NumberFormatException e) {
            return OptionalLong.empty();
        }
        return OptionalLong.empty();
    }

    /** A cgroup file holding one number, or {@code max} (v2: no limit), or absent. */
    static OptionalLong number(Path file) {
        try {
            String s = Files.readString(file).trim();
            if (s.equals("max")) {
                return OptionalLong.of(Long.MAX_VALUE);
            }
            return OptionalLong.of(Long.parseLong(s));
        } catch (IOException | NumberFormatException e) {
            return OptionalLong.empty();
        }
    }
}
