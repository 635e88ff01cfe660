package io.bge4j.data.synthetic;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class AnswerParserTest {

    @Test
    void numberedListWithPreambleAndRemarks() {
        String a = "Sure! Here are 3 queries:\n\n1. how to purge apt\n2) **apt purge config**\n3. \"remove conf files\"\n\n"
                + "Let me know if you need more.";
        assertEquals(List.of("how to purge apt", "apt purge config", "remove conf files"), AnswerParser.parse(a, 5));
    }

    @Test
    void jsonInFenceAndObjects() {
        assertEquals(List.of("a b", "c d"), AnswerParser.parse("```json\n[\"a b\", \"c d\"]\n```", 5));
        assertEquals(List.of("x", "y"), AnswerParser.parse("{\"queries\": [\"x\", \"y\"]}", 5));
        assertEquals(List.of("x", "y"), AnswerParser.parse("Output: [{\"query\": \"x\"}, {\"query\": \"y\"}] done", 5));
    }

    @Test
    void chineseMarkersDuplicatesAndLimit() {
        String a = "以下是查询：\n1、如何安装软件\n2、如何安装软件\n3、卸载 nginx\n问题4：更新系统";
        assertEquals(List.of("如何安装软件", "卸载 nginx"), AnswerParser.parse(a, 2));
        assertEquals(List.of("如何安装软件", "卸载 nginx", "更新系统"), AnswerParser.parse(a, 9));
    }

    @Test
    void plainLinesAndNothing() {
        assertEquals(List.of("reset pw", "forgot login"), AnswerParser.parse("reset pw\n\nforgot login\n", 5));
        assertEquals(List.of(), AnswerParser.parse("   ", 5));
        assertEquals(List.of(), AnswerParser.parse(null, 5));
        assertEquals(List.of(), AnswerParser.parse("[]", 5));
    }
}
