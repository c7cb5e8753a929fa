package org.blockcloset.admin;

import java.util.List;
import java.util.Locale;

/**
 * A small chart as inline SVG, made on the server from numbers only (no script, no chart library to
 * ship): a polyline over the samples, scaled to the largest value, with that value as its label.
 */
final class Sparkline {
    private static final int W = 300;
    private static final int H = 60;

    private Sparkline() {
    }

    /** The SVG for {@code values} (oldest first); {@code label} describes the largest value for screen readers. */
    static String svg(List<Double> values, String cssClass, String label) {
        StringBuilder b = new StringBuilder();
        b.append("<svg class=\"spark ").append(cssClass).append("\" viewBox=\"0 0 ").append(W).append(' ').append(H)
                .append("\" preserveAspectRatio=\"none\" role=\"img\" aria-label=\"").append(escape(label)).append("\">");
        if (values.size() >= 2) {
            double max = values.stream().mapToDouble(Double::doubleValue).max().orElse(0);
            double scale = max <= 0 ? 0 : (H - 4) / max;
            b.append("<polyline fill=\"none\" stroke-width=\"2\" points=\"");
            for (int i = 0; i < values.size(); i++) {
                double x = (double) i * W / (values.size() - 1);
                double y = H - 2 - values.get(i) * scale;
                b.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
            }
            b.append("\"/>");
        }
        return b.append("</svg>").toString();
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace("\"", "&quot;");
    }
}
