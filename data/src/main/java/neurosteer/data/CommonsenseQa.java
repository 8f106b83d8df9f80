package neurosteer.data;

import com.fasterxml.jackson.databind.JsonNode;
import neurosteer.data.Records.BadRecord;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * CommonsenseQA, in the Hugging Face layout ({@code question}, {@code choices: {label: [...], text: [...]}},
 * {@code answerKey}) and the original one ({@code question: {stem, choices: [{label, text}]}}, {@code answerKey}).
 */
public final class CommonsenseQa {
    private CommonsenseQa() {}

    public static List<Problem> load(Path file) {
        return load(file, LoadOptions.STRICT).problems();
    }

    public static LoadResult load(Path file, LoadOptions options) {
        Records.checkReadable(file);
        BadRecords bad = new BadRecords(options);
        return bad.result(RecordConverter.convertAll(file, "commonsense_qa", Records.read(file, bad),
                CommonsenseQa::fromRecord, bad));
    }

    static Problem fromRecord(JsonNode node, String defaultId) {
        JsonNode question = node.get("question");
        String stem;
        List<String> labels = new ArrayList<>();
        List<String> texts = new ArrayList<>();
        if (question != null && question.isObject()) {
            stem = Records.requiredText(question, "stem");
            JsonNode choices = question.get("choices");
            if (choices == null || !choices.isArray() || choices.isEmpty()) {
                throw new BadRecord("'question.choices' is missing or not a list of {label, text}");
            }
            for (JsonNode choice : choices) {
                if (!choice.isObject()) throw new BadRecord("'question.choices' holds " + Records.describe(choice) + ", expected {label, text}");
                labels.add(Records.requiredText(choice, "label").strip());
                texts.add(Records.requiredText(choice, "text"));
            }
        } else {
            stem = Records.requiredText(node, "question");
            JsonNode choices = node.get("choices");
            if (choices == null || !choices.isObject()) throw new BadRecord("no 'choices' {label: [...], text: [...]}");
            JsonNode labelList = choices.get("label");
            JsonNode textList = choices.get("text");
            if (labelList == null || !labelList.isArray() || textList == null || !textList.isArray()) {
                throw new BadRecord("'choices' needs lists 'label' and 'text'");
            }
            if (labelList.size() != textList.size() || labelList.isEmpty()) {
                throw new BadRecord("'choices' has " + labelList.size() + " labels and " + textList.size() + " texts");
            }
            for (int i = 0; i < labelList.size(); i++) {
                labels.add(labelList.get(i).asText().strip());
                texts.add(textList.get(i).asText());
            }
        }
        String answerKey = Records.text(node, "answerKey");
        if (answerKey == null) throw new BadRecord("no gold answer: 'answerKey' is missing or empty");
        answerKey = answerKey.strip().toUpperCase(Locale.ROOT);
        List<String> upperLabels = labels.stream().map(l -> l.toUpperCase(Locale.ROOT)).toList();
        if (!upperLabels.contains(answerKey)) {
            throw new BadRecord("'answerKey' " + answerKey + " is not one of the choices " + labels);
        }
        String id = Records.text(node, "id");
        return new Problem(id == null ? defaultId : id, Choices.format(stem, upperLabels, texts), answerKey, null,
                null, null, Problem.Kind.CHOICE, upperLabels);
    }
}
