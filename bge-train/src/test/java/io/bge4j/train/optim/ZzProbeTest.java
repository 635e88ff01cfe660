package io.bge4j.train.optim;

import ai.djl.engine.Engine;
import ai.djl.ndarray.*;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.*;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

class ZzProbeTest {
    @Test
    void probe() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray p = m.create(new double[] {1, 2, 3, 4}, new Shape(2, 2));
            p.setRequiresGradient(true);
            NDArray idx = m.create(new long[] {1, 0}, new Shape(2, 1));
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray y = p.logSoftmax(1).gather(idx, 1).sum();
                gc.backward(y);
            }
            System.err.println("grad " + java.util.Arrays.toString(p.getGradient().toDoubleArray()));
            System.err.println("m count before " + m);
            try (NDManager sub = m.newSubManager()) {
                p.tempAttach(sub);
                NDArray g = p.getGradient();
                g.tempAttach(sub);
                NDArray upd = g.mul(0.5);
                System.err.println("upd manager is sub: " + (upd.getManager() == sub));
                p.subi(upd);
            }
            System.err.println("p after " + java.util.Arrays.toString(p.toDoubleArray()) + " mgr back " + (p.getManager() == m));
            System.err.println("p.requiresgrad " + p.hasGradient());
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray y = p.sum();
                gc.backward(y);
            }
            System.err.println("grad2 " + java.util.Arrays.toString(p.getGradient().toDoubleArray()));
            NDArray g2 = p.getGradient();
            System.err.println("grad same obj? " + (g2 == p.getGradient()));
            g2.muli(0);
            System.err.println("grad zeroed " + java.util.Arrays.toString(p.getGradient().toDoubleArray()));
            System.err.println("scalar float64 sum dtype " + p.sum().getDataType());
        }
    }
}
