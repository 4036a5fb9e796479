package dev.sightline.kv;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The one block of off-heap memory that all KV pages come from, allocated once at start-up with the FFM API and split
 * into fixed-size pages.
 *
 * <p>Admission is by reservation: a session reserves its whole byte budget when it opens ({@link #reserve}); the pool
 * refuses a reservation that would pass its capacity, so a session that stays within its budget can never find the
 * pool empty. Pages are taken lazily and returned to a free list when a session evicts or closes.
 *
 * <p>Thread-safe; each session itself is single-threaded.
 */
public final class KvPool implements AutoCloseable {

    /** Default page size: 16 KiB holds 64 F16 tokens of a 64-dim head. */
    public static final int DEFAULT_PAGE_BYTES = 16 * 1024;

    private final Arena arena;
    private final MemorySegment slab;
    private final int pageBytes;
    private final int pageCount;
    private final int[] freeList;
    private int freeCount;
    private long reservedBytes;
    private boolean closed;
    private final boolean hugePages;

    private KvPool(long capacityBytes, int pageBytes) {
        if (pageBytes < 256 || pageBytes % 64 != 0) {
            throw new IllegalArgumentException("page size must be a multiple of 64 bytes and at least 256, got "
                    + pageBytes);
        }
        long pages = capacityBytes / pageBytes;
        if (pages < 1 || pages > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("pool capacity " + capacityBytes + " bytes does not make 1.."
                    + Integer.MAX_VALUE + " pages of " + pageBytes + " bytes");
        }
        this.pageBytes = pageBytes;
        this.pageCount = (int) pages;
        this.arena = Arena.ofShared();
        // huge pages where the OS gives them (a pass walks tens of MiB of pages: see HugePageSlab), else plain
        MemorySegment huge = HugePageSlab.allocate((long) pageCount * pageBytes, arena);
        this.slab = huge != null ? huge : arena.allocate((long) pageCount * pageBytes, 64);
        this.hugePages = huge != null;
        this.freeList = new int[pageCount];
        for (int i = 0; i < pageCount; i++) {
            freeList[i] = pageCount - 1 - i;   // hand out low pages first
        }
        this.freeCount = pageCount;
    }

    /** Allocates a pool of {@code capacityBytes} (rounded down to whole pages) in pages of {@code pageBytes}. */
    public static KvPool allocate(long capacityBytes, int pageBytes) {
        return new KvPool(capacityBytes, pageBytes);
    }

    /** Allocates a pool of {@code capacityBytes} in pages of {@link #DEFAULT_PAGE_BYTES}. */
    public static KvPool allocate(long capacityBytes) {
        return new KvPool(capacityBytes, DEFAULT_PAGE_BYTES);
    }

    /** Whether the slab was mapped on transparent huge pages (Linux, native access granted), see HugePageSlab. */
    public boolean hugePages() {
        return hugePages;
    }

    public int pageBytes() {
        return pageBytes;
    }

    public long capacityBytes() {
        return (long) pageCount * pageBytes;
    }

    public synchronized long reservedBytes() {
        return reservedBytes;
    }

    public synchronized long freeBytes() {
        return (long) freeCount * pageBytes;
    }

    public synchronized long usedBytes() {
        return (long) (pageCount - freeCount) * pageBytes;
    }

    /** Reserves {@code bytes} for a session; refused when the pool's unreserved capacity is smaller. */
    synchronized void reserve(long bytes) {
        ensureOpen();
        long available = capacityBytes() - reservedBytes;
        if (bytes > available) {
            throw new KvBudgetExceededException("KV pool cannot admit a session budget", bytes, available);
        }
        reservedBytes += bytes;
    }

    synchronized void unreserve(long bytes) {
        reservedBytes -= bytes;
    }

    /** Takes one free page; callers only do so within a reservation, so an empty pool here is a bug. */
    synchronized Page take() {
        ensureOpen();
        if (freeCount == 0) {
            throw new KvBudgetExceededException("KV pool has no free page", pageBytes, 0);
        }
        int id = freeList[--freeCount];
        return new Page(id, slab.asSlice((long) id * pageBytes, pageBytes));
    }

    synchronized void give(Page page) {
        if (!closed) {
            freeList[freeCount++] = page.id();
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("KV pool is closed");
        }
    }

    /** Frees the off-heap memory; sessions still using it fail on their next access. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            arena.close();
        }
    }

    /** One page of the pool. */
    record Page(int id, MemorySegment segment) {
    }
}
