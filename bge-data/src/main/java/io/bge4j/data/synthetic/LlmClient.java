package io.bge4j.data.synthetic;

import java.util.List;

/**
 * The one thing bge4j needs from a large language model: a chat completion. Implement it to plug
 * in any backend; {@link OpenAiChatClient} talks to OpenAI-compatible servers (OpenAI, vLLM,
 * Ollama, llama.cpp server). Implementations must be safe to call from several threads.
 *
 * <p>Usage: {@code String answer = client.complete(List.of(ChatMessage.user("Say hi")));}
 */
public interface LlmClient {

    /**
     * @param messages the conversation, oldest first
     * @return the assistant's answer text
     * @throws LlmException when the backend cannot produce an answer
     */
    String complete(List<ChatMessage> messages);

    /**
     * @return the model name; part of every cache key, so two models never share cached answers
     */
    String model();
}
