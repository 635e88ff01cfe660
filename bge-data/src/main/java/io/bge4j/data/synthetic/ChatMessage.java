package io.bge4j.data.synthetic;

import java.util.Objects;

/**
 * One message of a chat-completions conversation.
 *
 * <p>Usage: {@code ChatMessage.user("Write three search queries for: ...")}
 *
 * @param role {@code system}, {@code user} or {@code assistant}
 * @param content the text
 */
public record ChatMessage(String role, String content) {

    /** Checks that both parts are present. */
    public ChatMessage {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(content, "content");
        if (!role.equals("system") && !role.equals("user") && !role.equals("assistant")) {
            throw new IllegalArgumentException("role must be system, user or assistant, was '" + role + "'");
        }
    }

    /**
     * @param content the instruction text
     * @return a system message
     */
    public static ChatMessage system(String content) {
        return new ChatMessage("system", content);
    }

    /**
     * @param content the request text
     * @return a user message
     */
    public static ChatMessage user(String content) {
        return new ChatMessage("user", content);
    }
}
