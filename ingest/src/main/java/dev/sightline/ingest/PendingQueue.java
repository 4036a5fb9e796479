package dev.sightline.ingest;

import dev.sightline.protocol.AudioChunk;

import java.awt.image.BufferedImage;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The hand-off between a stream's reader (decoding) and its sender (encoding, Kafka). Bounded. For files the
 * reader waits when it is full, so nothing is dropped; for live sources the reader must keep pace with the
 * source, so the oldest pending frame is dropped instead (and returned, to be counted). Audio chunks are small
 * and are only dropped when the queue holds nothing else and has grown to {@value #CHUNK_SLACK} times its size.
 */
final class PendingQueue {
    static final int CHUNK_SLACK = 16;

    sealed interface Item permits FrameItem, ChunkItem {
    }

    record FrameItem(long sequence, long ptsMicros, long captureMillis, BufferedImage image) implements Item {
    }

    record ChunkItem(AudioChunk chunk) implements Item {
    }

    private final ArrayDeque<Item> items = new ArrayDeque<>();
    private final int capacity;
    private final boolean dropOldest;
    private boolean closed;

    PendingQueue(int capacity, boolean dropOldest) {
        this.capacity = capacity;
        this.dropOldest = dropOldest;
    }

    /** Adds an item; returns what was dropped to make room (empty for files, which wait instead). */
    synchronized List<Item> put(Item item) throws InterruptedException {
        List<Item> dropped = List.of();
        if (!dropOldest) {
            while (items.size() >= capacity && !closed) {
                wait();
            }
        } else {
            while (items.size() >= capacity) {
                Item victim = removeOldestFrame();
                if (victim == null) {
                    if (items.size() < capacity * CHUNK_SLACK) {
                        break;
                    }
                    victim = items.removeFirst();
                }
                if (dropped.isEmpty()) {
                    dropped = new ArrayList<>(2);
                }
                dropped.add(victim);
            }
        }
        items.addLast(item);
        notifyAll();
        return dropped;
    }

    private Item removeOldestFrame() {
        for (Iterator<Item> it = items.iterator(); it.hasNext(); ) {
            Item i = it.next();
            if (i instanceof FrameItem) {
                it.remove();
                return i;
            }
        }
        return null;
    }

    /** The next item, or null once closed and empty. */
    synchronized Item take() throws InterruptedException {
        while (items.isEmpty() && !closed) {
            wait();
        }
        Item i = items.pollFirst();
        notifyAll();
        return i;
    }

    /** No more items will come; {@link #take} returns the rest and then null. */
    synchronized void close() {
        closed = true;
        notifyAll();
    }

    synchronized int size() {
        return items.size();
    }
}
