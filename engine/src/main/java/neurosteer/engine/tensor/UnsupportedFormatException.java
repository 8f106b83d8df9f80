package neurosteer.engine.tensor;

/** A weight format or quantization this build cannot read. */
public class UnsupportedFormatException extends RuntimeException {
    public UnsupportedFormatException(String message) {
        super(message);
    }
}
