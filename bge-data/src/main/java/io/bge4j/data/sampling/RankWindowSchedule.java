package io.bge4j.data.sampling;

/**
 * Which rank window negatives come from at a given training step: a curriculum that starts with
 * easy negatives (far down the ranking) and moves to hard ones (near the top).
 *
 * <p>Usage: {@code RankWindowSchedule.linear(RankWindow.of(100, 300), RankWindow.of(5, 105), 0, 5_000)}
 */
@FunctionalInterface
public interface RankWindowSchedule {

    /**
     * @param step training step (0 = before training)
     * @return the window to mine from at that step
     */
    RankWindow windowAt(int step);

    /**
     * @param window the window for every step
     * @return a schedule that never changes
     */
    static RankWindowSchedule constant(RankWindow window) {
        return step -> window;
    }

    /**
     * Interpolates both bounds linearly from {@code easy} (at and before {@code startStep}) to
     * {@code hard} (at and after {@code endStep}), rounding to whole ranks.
     *
     * @param easy the starting window
     * @param hard the final window
     * @param startStep where the move starts, &gt;= 0
     * @param endStep where it ends, &gt;= startStep
     * @return the schedule
     */
    static RankWindowSchedule linear(RankWindow easy, RankWindow hard, int startStep, int endStep) {
        if (startStep < 0 || endStep < startStep) {
            throw new IllegalArgumentException("need 0 <= startStep <= endStep, got startStep=" + startStep
                    + ", endStep=" + endStep);
        }
        return step -> {
            if (step <= startStep) {
                return easy;
            }
            if (step >= endStep) {
                return hard;
            }
            double t = (double) (step - startStep) / (endStep - startStep);
            int from = (int) Math.round(easy.from() + t * (hard.from() - easy.from()));
            int to = (int) Math.round(easy.to() + t * (hard.to() - easy.to()));
            return RankWindow.of(from, Math.max(to, from + 1));
        };
    }

    /**
     * Steps through windows: {@code windows[i]} from {@code startSteps[i]} on.
     *
     * @param startSteps ascending start steps, the first 0
     * @param windows one window per start step
     * @return the schedule
     */
    static RankWindowSchedule stages(int[] startSteps, RankWindow[] windows) {
        if (startSteps.length == 0 || startSteps.length != windows.length || startSteps[0] != 0) {
            throw new IllegalArgumentException("stages need as many windows as start steps, and the first start step"
                    + " must be 0");
        }
        for (int i = 1; i < startSteps.length; i++) {
            if (startSteps[i] <= startSteps[i - 1]) {
                throw new IllegalArgumentException("stage start steps must be strictly ascending, got "
                        + java.util.Arrays.toString(startSteps));
            }
        }
        int[] s = startSteps.clone();
        RankWindow[] w = windows.clone();
        return step -> {
            int i = s.length - 1;
            while (i > 0 && step < s[i]) {
                i--;
            }
            return w[i];
        };
    }
}
