package io.bitnetstreams.engine.tasks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bitnetstreams.engine.chat.ChatMessage;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TaskRulesTest {

    @Test
    void textAloneIsTheUserTurn() {
        assertThat(TaskRules.conversation(null, List.of(), null, "Write one sentence about Kafka."))
                .containsExactly(ChatMessage.user("Write one sentence about Kafka."));
        assertThat(TaskRules.conversation("Be brief.", null, " ", "Hi"))
                .containsExactly(ChatMessage.system("Be brief."), ChatMessage.user("Hi"));
    }

    @Test
    void aPromptKeepsWorkingAndPrecedesTheText() {
        assertThat(TaskRules.conversation(null, List.of(), "Write a haiku", null))
                .containsExactly(ChatMessage.user("Write a haiku"));
        assertThat(TaskRules.conversation(" ", List.of(), " Summarise: ", " the document \n"))
                .containsExactly(ChatMessage.user("Summarise:\n\nthe document"));
    }

    @Test
    void messagesAreTheWholeConversationAfterTheSystemTurn() {
        List<ChatMessage> messages = List.of(ChatMessage.user("Hi"), ChatMessage.assistant("Hello"),
                ChatMessage.user("Bye"));
        assertThat(TaskRules.conversation("sys", messages, "ignored, as documented", ""))
                .containsExactly(ChatMessage.system("sys"), ChatMessage.user("Hi"), ChatMessage.assistant("Hello"),
                        ChatMessage.user("Bye"));
    }

    @Test
    void refusesRequestsWithoutAUserTurnOrWithTwo() {
        assertThatThrownBy(() -> TaskRules.conversation("sys", List.of(), " ", null))
                .isInstanceOf(EngineException.class).hasMessageContaining("needs a user turn");
        assertThatThrownBy(() -> TaskRules.conversation(null, List.of(ChatMessage.user("a")), null, "b"))
                .isInstanceOf(EngineException.class).hasMessageContaining("not both");
        assertThatThrownBy(() -> TaskRules.conversation(null, List.of(), null, "x".repeat(Requests.MAX_TEXT_CHARS + 1)))
                .isInstanceOf(EngineException.class).hasMessageContaining("limit");
    }

    @Test
    void multiLabelSelectsEveryLabelReachingItsThresholdOrOneOverTheLabelCount() {
        List<String> labels = List.of("a", "b", "c", "d");
        Map<String, Double> p = Map.of("a", 0.40, "b", 0.30, "c", 0.20, "d", 0.10);
        // default threshold 1/4: a and b reach it; c gets its own lower threshold
        assertThat(TaskRules.selectLabels(labels, p, true, Map.of("c", 0.2))).containsExactly("a", "b", "c");
        assertThat(TaskRules.selectLabels(labels, p, true, Map.of("a", 0.9))).containsExactly("b");
        assertThat(TaskRules.selectLabels(labels, p, false, Map.of("a", 0.9))).containsExactly("a");
    }

    @Test
    void theFirstOfEqualLabelsIsTheArgmax() {
        assertThat(TaskRules.argmax(List.of("x", "y"), Map.of("x", 0.5, "y", 0.5))).isEqualTo("x");
        assertThat(TaskRules.selectLabels(List.of("x", "y"), Map.of("y", 0.6), false, Map.of())).containsExactly("y");
    }
}
