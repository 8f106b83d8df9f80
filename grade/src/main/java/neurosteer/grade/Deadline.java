package neurosteer.grade;

/** A cooperative time limit: long-running steps call {@link #check()} and give up once it has passed. */
final class Deadline {

    /** Thrown when a comparison runs past its time limit. */
    static final class Expired extends RuntimeException {
        Expired() { super("grading time limit exceeded", null, false, false); }
    }

    private final long endNanos;
    private int calls;

    Deadline(long budgetNanos) { this.endNanos = System.nanoTime() + budgetNanos; }

    void check() {
        if ((++calls & 63) == 0 && System.nanoTime() > endNanos) throw new Expired();
    }

    boolean expired() { return System.nanoTime() > endNanos; }
}
