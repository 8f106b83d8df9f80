package neurosteer.method.collect;

/**
 * A chat-formatted prompt and a completion, as token ids, with its quality class.
 *
 * @param promptLength the first {@code promptLength} tokens are the prompt
 */
public record Trajectory(String id, int[] tokens, int promptLength, boolean highQuality, String subject) {}
