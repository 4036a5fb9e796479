package dev.sightline.kv;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * The pool's slab on transparent huge pages, where Linux allows it: an anonymous {@code mmap} advised with
 * {@code MADV_HUGEPAGE} before any byte is touched, so the kernel backs it with 2 MiB pages as it faults them in.
 *
 * <p>Why: a pass or an attention call walks tens of MiB of pages spread over the slab. On 4 KiB pages that is one
 * TLB entry per 4 KiB, far more than the TLB holds, and each miss is a page walk (two-dimensional, and slow, under
 * a hypervisor). On 2 MiB pages the same 35 MiB needs 18 entries. The kernel's default (THP on {@code madvise}
 * only) never gives huge pages to memory nobody advised, and {@code Arena.allocate} zeroes, that is touches, its
 * memory before anyone could advise it.
 *
 * <p>Needs native access for this module ({@code --enable-native-access}); without it, on another OS, or if the
 * kernel refuses, {@link #allocate} returns null and the pool uses ordinary arena memory: same bytes, same
 * behaviour, only slower to walk. Anonymous memory starts zeroed, as arena memory does. The system property
 * {@code sightline.kv.hugePages=false} turns it off (for comparing, or where huge pages misbehave).
 */
final class HugePageSlab {

    static final long HUGE_PAGE = 2L << 20;

    private static final int PROT_READ_WRITE = 0x1 | 0x2;
    private static final int MAP_PRIVATE_ANONYMOUS = 0x02 | 0x20;   // same values on x86-64 and aarch64
    private static final int MADV_HUGEPAGE = 14;

    private HugePageSlab() {
    }

    /**
     * Maps at least {@code bytes} bytes, 2 MiB aligned and advised for huge pages, unmapped when {@code arena}
     * closes; null where that is not possible here.
     */
    static MemorySegment allocate(long bytes, Arena arena) {
        if (!supported()) {
            return null;
        }
        try {
            Linker linker = Linker.nativeLinker();
            MethodHandle mmap = linker.downcallHandle(linker.defaultLookup().find("mmap").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG,
                            ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG));
            MethodHandle madvise = linker.downcallHandle(linker.defaultLookup().find("madvise").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG,
                            ValueLayout.JAVA_INT));
            MethodHandle munmap = linker.downcallHandle(linker.defaultLookup().find("munmap").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
            // map one huge page more than needed, so the slab can start on a 2 MiB boundary
            long size = (bytes + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE;
            long mapped = size + HUGE_PAGE;
            MemorySegment base = (MemorySegment) mmap.invokeExact(MemorySegment.NULL, mapped, PROT_READ_WRITE,
                    MAP_PRIVATE_ANONYMOUS, -1, 0L);
            if (base.address() == -1L || base.address() == 0L) {
                return null;
            }
            long start = (base.address() + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE;
            MemorySegment slab = MemorySegment.ofAddress(start);
            int advised = (int) madvise.invokeExact(slab, size, MADV_HUGEPAGE);
            if (advised != 0) {
                int ignored = (int) munmap.invokeExact(base, mapped);
                return null;
            }
            return slab.reinterpret(size, arena, s -> {
                try {
                    int ignored = (int) munmap.invokeExact(base, mapped);
                } catch (Throwable e) {
                    throw new IllegalStateException("munmap of the KV pool failed", e);
                }
            });
        } catch (Throwable e) {
            return null;
        }
    }

    /** Linux on x86-64 or aarch64, with native access granted to this module. */
    private static boolean supported() {
        String os = System.getProperty("os.name", "");
        String arch = System.getProperty("os.arch", "");
        return Boolean.parseBoolean(System.getProperty("sightline.kv.hugePages", "true"))
                && os.startsWith("Linux") && (arch.equals("amd64") || arch.equals("x86_64") || arch.equals("aarch64"))
                && HugePageSlab.class.getModule().isNativeAccessEnabled();
    }
}
