package neurosteer.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import neurosteer.toy.data.ToyDataGenerator;
import neurosteer.toy.train.ToyTrainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(mixinStandardHelpOptions = true, name = "toy", description = "The bundled toy model: its synthetic data and its Java trainer.",
        subcommands = {ToyCommand.Data.class, ToyCommand.Train.class})
final class ToyCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    @Command(mixinStandardHelpOptions = true, name = "data", description = {"Generate the seeded MATH-style toy problems (7 subjects x 5 levels): OUT/train.jsonl and OUT/test.jsonl",
            "(correct solutions), and OUT/corpus.jsonl, the training texts with occasional slips that toy train learns from."})
    static final class Data implements Runnable {
        @Option(names = "--out", defaultValue = "runs/toy-data")
        Path out;

        @Option(names = "--seed", defaultValue = "" + ToyDataGenerator.Options.DEFAULT_SEED)
        long seed;

        @Option(names = "--train-per-cell", defaultValue = "" + ToyDataGenerator.Options.DEFAULT_TRAIN_PER_CELL, description = "Train problems per (subject, level) (default ${DEFAULT-VALUE})")
        int trainPerCell;

        @Option(names = "--test-per-cell", defaultValue = "" + ToyDataGenerator.Options.DEFAULT_TEST_PER_CELL, description = "Test problems per (subject, level) (default ${DEFAULT-VALUE})")
        int testPerCell;

        @Option(names = "--slip-rate", defaultValue = "" + ToyDataGenerator.Options.DEFAULT_SLIP_RATE,
                description = "Probability that a step of a training text in corpus.jsonl is off by one, the rest of the chain following it (default ${DEFAULT-VALUE}; 0: the correct solutions)")
        double slipRate;

        @Override
        public void run() {
            try {
                ToyDataGenerator.run(new ToyDataGenerator.Options(out, seed, trainPerCell, testPerCell, slipRate), System.err::println);
            } catch (IOException e) {
                throw new UncheckedIOException(e.getMessage(), e);
            }
        }
    }

    @Command(mixinStandardHelpOptions = true, name = "train", description = {"Train the toy model in Java from DATA (corpus.jsonl or else train.jsonl; test.jsonl) into OUT: checkpoints to resume from,",
            "loss.csv and loss.png, and OUT/model, a Hugging Face folder. Interrupt and rerun to continue."})
    static final class Train implements Runnable {
        @Option(names = "--data", defaultValue = "runs/toy-data")
        Path data;

        @Option(names = "--out", defaultValue = "runs/toy-train")
        Path out;

        @Option(names = "--steps", description = "Optimiser steps (default: the recipe's)")
        Integer steps;

        @Option(names = "--threads", defaultValue = "2")
        int threads;

        @Override
        public void run() {
            ToyTrainer.Options o = ToyTrainer.Options.defaults(data, out).withThreads(threads);
            if (steps != null) o = o.withSteps(steps);
            try {
                ToyTrainer.Result r = ToyTrainer.run(o, System.err::println);
                System.err.println("toy train: model in " + r.modelDir() + ", final loss " + r.finalLoss());
            } catch (IOException e) {
                throw new UncheckedIOException(e.getMessage(), e);
            }
        }
    }
}
