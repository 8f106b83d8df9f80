package neurosteer.cli;

import java.nio.file.Path;
import neurosteer.engine.Model;
import neurosteer.engine.hooks.Hooks;
import neurosteer.method.select.NeuronSet;
import neurosteer.method.steer.Steering;

/** Hooks from a neurons file, checked against the model. */
final class Steer {
    private Steer() {}

    static Hooks hooks(Model m, Path neurons, double alpha) {
        if (neurons == null) return Hooks.NONE;
        NeuronSet set = NeuronSet.load(neurons);
        set.checkFits(m.config().numLayers(), m.config().intermediateSize(), neurons);
        return Steering.hooks(set, alpha, Steering.Positions.ALL);
    }
}
