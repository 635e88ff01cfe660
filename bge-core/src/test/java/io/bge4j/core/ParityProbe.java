package io.bge4j.core;

import java.util.List;

public class ParityProbe {
    public static void main(String[] a) throws Exception {
        try (OrtReference ort = new OrtReference("bge-small-en-v1.5.onnx", 2)) {
            System.out.println(ort.describe());
            long t = System.nanoTime();
            try (BgeModel m = BgeModel.load("bge-small-en-v1.5")) {
                System.out.println("load ms " + (System.nanoTime() - t) / 1e6);
                List<String> texts = List.of("hello world", "a", "", "The quick brown fox jumps over the lazy dog. ".repeat(100), "café résumé naïve", "软件包管理器", "emoji 🚀🔥");
                long[][] ids = m.tokenizer().encode(texts, 512);
                float[][] ref = ort.embed(ids);
                try (Embedder e = m.embedder().build()) {
                    float[][] ours = e.encode(texts);
                    for (int i = 0; i < texts.size(); i++) {
                        double dot = 0;
                        for (int j = 0; j < ours[i].length; j++) dot += ours[i][j] * ref[i][j];
                        System.out.println(i + " len=" + ids[i].length + " cos=" + dot);
                    }
                }
            }
        }
    }
}
