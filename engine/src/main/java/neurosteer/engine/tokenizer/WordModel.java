package neurosteer.engine.tokenizer;

/** Turns one pre-tokenized word (already in the vocabulary's alphabet) into token ids. */
interface WordModel {
    void encode(String word, IntList out);
}
