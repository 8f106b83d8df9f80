package neurosteer.method.run;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * A SHA-256 identifying a model without reading many gigabytes: every file's name and size, the
 * whole of each small file (configs, tokenizer, headers under 64 MiB) and the first and last 16 MiB
 * of each large one.
 */
public final class Fingerprint {
    private static final long WHOLE = 64L << 20, EDGE = 16L << 20;

    private Fingerprint() {}

    public static String of(Path path) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            List<Path> files;
            if (Files.isDirectory(path)) {
                try (Stream<Path> s = Files.walk(path)) {
                    files = s.filter(Files::isRegularFile).sorted().toList();
                }
            } else files = List.of(path);
            for (Path f : files) {
                long size = Files.size(f);
                String name = Files.isDirectory(path) ? path.relativize(f).toString() : f.getFileName().toString();
                md.update((name + "\0" + size + "\0").getBytes());
                try (InputStream in = Files.newInputStream(f)) {
                    if (size <= WHOLE) md.update(in.readAllBytes());
                    else {
                        md.update(in.readNBytes((int) EDGE));
                        in.skipNBytes(size - 2 * EDGE);
                        md.update(in.readNBytes((int) EDGE));
                    }
                }
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot fingerprint " + path + ": " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
