package neurosteer.engine.hooks;

import java.util.ArrayList;
import java.util.List;

/**
 * The hooks of one run, indexed by point for the forward pass. An empty set costs one array read
 * per point and layer.
 */
public final class Hooks {
    public static final Hooks NONE = new Hooks();

    private final Hook[][][] byKindAndLayer = new Hook[HookPoint.Kind.values().length][][];
    private final Hook[] finalNormalized;
    private final List<Registration> registrations;

    private record Registration(HookPoint point, Hook hook) {}

    private Hooks() {
        this.registrations = List.of();
        this.finalNormalized = null;
    }

    private Hooks(List<Registration> regs, int numLayers) {
        this.registrations = List.copyOf(regs);
        List<Hook> fin = new ArrayList<>();
        for (Registration r : regs) {
            HookPoint p = r.point();
            if (p.kind() == HookPoint.Kind.FINAL_NORMALIZED) {
                fin.add(r.hook());
                continue;
            }
            if (p.layer() < 0 || p.layer() >= numLayers)
                throw new IllegalArgumentException("hook point " + p + ": the model has layers 0.." + (numLayers - 1));
            Hook[][] layers = byKindAndLayer[p.kind().ordinal()];
            if (layers == null) layers = byKindAndLayer[p.kind().ordinal()] = new Hook[numLayers][];
            Hook[] old = layers[p.layer()];
            Hook[] now = old == null ? new Hook[1] : java.util.Arrays.copyOf(old, old.length + 1);
            now[now.length - 1] = r.hook();
            layers[p.layer()] = now;
        }
        this.finalNormalized = fin.isEmpty() ? null : fin.toArray(new Hook[0]);
    }

    public static Builder builder(int numLayers) { return new Builder(numLayers); }

    public boolean isEmpty() { return registrations.isEmpty(); }

    /** The hooks at a block point, or null when there are none. */
    public Hook[] at(HookPoint.Kind kind, int layer) {
        if (kind == HookPoint.Kind.FINAL_NORMALIZED) return finalNormalized;
        Hook[][] layers = byKindAndLayer[kind.ordinal()];
        return layers == null ? null : layers[layer];
    }


    public static final class Builder {
        private final int numLayers;
        private final List<Registration> regs = new ArrayList<>();

        private Builder(int numLayers) {
            this.numLayers = numLayers;
        }

        public Builder add(HookPoint point, Hook hook) {
            regs.add(new Registration(point, hook));
            return this;
        }

        public Builder add(String pointName, Hook hook) {
            return add(HookPoint.parse(pointName), hook);
        }

        public Hooks build() {
            return regs.isEmpty() ? NONE : new Hooks(regs, numLayers);
        }
    }
}
