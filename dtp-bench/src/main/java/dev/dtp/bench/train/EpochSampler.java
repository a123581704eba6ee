package dev.dtp.bench.train;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Training batches in epochs: each a fresh shuffle of the training set, batches taken in its order. */
final class EpochSampler<T> {
    private final List<T> items;
    private final SplittableRandom rng;
    private int[] order;
    private int cursor;

    /** @param rng shuffles; the caller may draw from it between batches (the run's one seeded stream) */
    EpochSampler(List<T> items, SplittableRandom rng) {
        this.items = items;
        this.rng = rng;
        this.order = shuffled(items.size(), rng);
    }

    /** The next {@code size} items; an epoch that runs out mid-batch is followed by a new shuffle. */
    List<T> next(int size) {
        List<T> batch = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            if (cursor == order.length) {
                order = shuffled(items.size(), rng);
                cursor = 0;
            }
            batch.add(items.get(order[cursor++]));
        }
        return batch;
    }

    /** A Fisher–Yates shuffle of 0..n-1. */
    private static int[] shuffled(int n, SplittableRandom rng) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
        return a;
    }
}
