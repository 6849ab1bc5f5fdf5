package io.github.ossltickets.bench;

import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.data.category.DefaultCategoryDataset;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads what scripts/bench measured in target/bench (c-ROUND.tsv from native/resume_bench, jmh-ROUND.csv
 * from JMH on JDK 17 with JNA, jmh25-ROUND.csv from JMH on Temurin 25 with FFM) and writes the table (results.md) and the chart (chart.png). Each figure is the median over
 * the rounds, with the minimum and maximum; each ratio is the median of the per-round ratios, C and
 * Java having run side by side in every round. The last line printed is
 * {@code resumed TLSv1.3 java/c = R}.
 */
public final class BenchReport {
    private static final List<String> WORKLOADS = List.of("TLSv1.3 resumed", "TLSv1.2 resumed", "TLSv1.3 full", "TLSv1.2 full");

    private BenchReport() {
    }

    /** Per series ("c callbacks", "java none", "ffm callbacks", "jdk", "java upcall"), per workload, one figure per round. */
    private static final Map<String, Map<String, TreeMap<Integer, Double>>> FIGURES = new LinkedHashMap<>();

    public static void main(String[] args) throws IOException {
        Path directory = Path.of(args.length > 0 ? args[0] : "target/bench");
        String machine = args.length > 1 ? args[1] : "";
        try (var files = Files.list(directory)) {
            for (Path file : files.sorted().toList()) {
                String name = file.getFileName().toString();
                if (name.matches("c-\\d+\\.tsv")) {
                    readC(file, round(name));
                } else if (name.matches("jmh-\\d+\\.csv")) {
                    readJmh(file, round(name), "java");
                } else if (name.matches("jmh25-\\d+\\.csv")) {
                    readJmh(file, round(name), "ffm");
                }
            }
        }
        StringBuilder table = new StringBuilder();
        boolean ffm = FIGURES.containsKey("ffm callbacks");
        table.append("| workload | C, callbacks | Java (a), callbacks | (a)/C |")
                .append(ffm ? " FFM (a), callbacks | FFM (a)/C |" : "")
                .append(" C, no callbacks | Java (b), no callbacks | (b)/C |")
                .append(ffm ? " FFM (b), no callbacks | FFM (b)/C |" : "")
                .append(" JDK TLS (c) | C/JDK |\n");
        table.append("|---|---:|---:|---:|").append(ffm ? "---:|---:|" : "").append("---:|---:|---:|")
                .append(ffm ? "---:|---:|" : "").append("---:|---:|\n");
        DefaultCategoryDataset chart = new DefaultCategoryDataset();
        for (String workload : WORKLOADS) {
            table.append("| ").append(workload).append(" | ")
                    .append(cell("c callbacks", workload)).append(" | ")
                    .append(cell("java callbacks", workload)).append(" | ")
                    .append(ratio("java callbacks", "c callbacks", workload)).append(" | ");
            if (ffm) {
                table.append(cell("ffm callbacks", workload)).append(" | ")
                        .append(ratio("ffm callbacks", "c callbacks", workload)).append(" | ");
            }
            table.append(cell("c none", workload)).append(" | ")
                    .append(cell("java none", workload)).append(" | ")
                    .append(ratio("java none", "c none", workload)).append(" | ");
            if (ffm) {
                table.append(cell("ffm none", workload)).append(" | ")
                        .append(ratio("ffm none", "c none", workload)).append(" | ");
            }
            table.append(cell("jdk", workload)).append(" | ")
                    .append(ratio("c callbacks", "jdk", workload)).append(" |\n");
            for (String[] series : new String[][] {{"c callbacks", "C"}, {"java callbacks", "Java on JNA, callbacks (a)"},
                    {"ffm callbacks", "Java on FFM, callbacks (a)"}, {"java none", "Java on JNA, no callbacks (b)"},
                    {"jdk", "JDK TLS (c)"}}) {
                double median = median(series[0], workload);
                if (!Double.isNaN(median)) {
                    chart.addValue(median, series[1], workload);
                }
            }
        }
        table.append("\nHandshakes per second, one thread, in memory: median of ").append(rounds())
                .append(" rounds (min-max). Ratios: median of the per-round ratios.\n");
        double upcall = median("java upcall", "pair");
        if (!Double.isNaN(upcall)) {
            table.append(String.format(Locale.ROOT, "(d) one generate plus one decrypt upcall, with the app data:"
                    + " %.0f ns (%s) on JNA; JNA's own cost for the same two upcalls into empty methods: %.0f ns.%n",
                    upcall, range("java upcall", "pair", "%.0f"), median("java upcall floor", "pair")));
        }
        double ffmUpcall = median("ffm upcall", "pair");
        if (!Double.isNaN(ffmUpcall)) {
            table.append(String.format(Locale.ROOT, "(d) on FFM (Temurin 25): %.0f ns (%s).%n", ffmUpcall,
                    range("ffm upcall", "pair", "%.0f")));
        }
        if (ffm) {
            table.append("Java (a), (b): JDK 17, the JNA backend; FFM (a), (b): Temurin 25, the FFM backend.\n");
        }
        if (!machine.isEmpty()) {
            table.append("Machine: ").append(machine).append("\n");
        }
        Files.writeString(directory.resolve("results.md"), table);
        JFreeChart bars = ChartFactory.createBarChart("Handshakes per second (one thread, in memory; higher is better)",
                null, "handshakes/s", chart, PlotOrientation.VERTICAL, true, false, false);
        bars.getCategoryPlot().getDomainAxis().setCategoryLabelPositions(CategoryLabelPositions.STANDARD);
        bars.getCategoryPlot().setBackgroundPaint(java.awt.Color.WHITE);
        bars.getCategoryPlot().setRangeGridlinePaint(java.awt.Color.LIGHT_GRAY);
        if (!machine.isEmpty()) {
            bars.addSubtitle(new org.jfree.chart.title.TextTitle(machine));
        }
        ChartUtils.saveChartAsPNG(directory.resolve("chart.png").toFile(), bars, 900, 480);
        System.out.print(table);
        System.out.println("table: " + directory.resolve("results.md") + ", chart: " + directory.resolve("chart.png"));
        System.out.printf(Locale.ROOT, "resumed TLSv1.3 java/c = %.3f%n", medianRatio("java callbacks", "c callbacks", "TLSv1.3 resumed"));
    }

    private static int round(String fileName) {
        return Integer.parseInt(fileName.replaceAll(".*-(\\d+)\\.[a-z]+$", "$1")); // jmh25-3.csv: round 3
    }

    /** Lines of native/resume_bench: c PROTOCOL MODE VARIANT ITERATIONS SECONDS RATE. */
    private static void readC(Path file, int round) throws IOException {
        for (String line : Files.readAllLines(file)) {
            String[] f = line.split("\t");
            if (f.length == 7 && f[0].equals("c")) {
                put("c " + f[3], f[1] + " " + f[2], round, Double.parseDouble(f[6]));
            }
        }
    }

    /**
     * JMH's CSV: "Benchmark","Mode","Threads","Samples","Score","Score Error (99.9%)","Unit", then params.
     * {@code backend} prefixes the binding's series: "java" (JDK 17, JNA) or "ffm" (Temurin 25, FFM).
     */
    private static void readJmh(Path file, int round, String backend) throws IOException {
        List<String> lines = Files.readAllLines(file);
        List<String> header = fields(lines.get(0));
        for (String line : lines.subList(1, lines.size())) {
            List<String> f = fields(line);
            Map<String, String> row = new LinkedHashMap<>();
            for (int i = 0; i < f.size() && i < header.size(); i++) {
                row.put(header.get(i), f.get(i));
            }
            double score = Double.parseDouble(row.get("Score"));
            String benchmark = row.get("Benchmark");
            String workload = row.getOrDefault("Param: protocol", "") + " " + row.getOrDefault("Param: mode", "");
            if (benchmark.endsWith("JdkHandshakeBench.handshake")) {
                put("jdk", workload, round, score);
            } else if (benchmark.endsWith("HandshakeBench.handshake")) {
                put(backend + " " + row.get("Param: variant"), workload, round, score);
            } else if (benchmark.endsWith("UpcallBench.generateAndDecrypt")) {
                put(backend + " upcall", "pair", round, score);
            } else if (benchmark.endsWith("UpcallBench.emptyJnaCallbacks")) {
                put(backend + " upcall floor", "pair", round, score);
            }
        }
    }

    private static List<String> fields(String csvLine) {
        List<String> fields = new ArrayList<>();
        for (String field : csvLine.split(",(?=(?:[^\"]*\"[^\"]*\")*[^\"]*$)")) {
            fields.add(field.replace("\"", ""));
        }
        return fields;
    }

    private static void put(String series, String workload, int round, double value) {
        FIGURES.computeIfAbsent(series, s -> new LinkedHashMap<>()).computeIfAbsent(workload, w -> new TreeMap<>())
                .put(round, value);
    }

    private static double[] values(String series, String workload) {
        return FIGURES.getOrDefault(series, Map.of()).getOrDefault(workload, new TreeMap<>()).values().stream()
                .mapToDouble(Double::doubleValue).toArray();
    }

    private static double median(double[] values) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int middle = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    private static double median(String series, String workload) {
        return median(values(series, workload));
    }

    private static String range(String series, String workload, String format) {
        double[] v = values(series, workload);
        return String.format(Locale.ROOT, format + "-" + format, Arrays.stream(v).min().orElse(0), Arrays.stream(v).max().orElse(0));
    }

    private static String cell(String series, String workload) {
        double median = median(series, workload);
        return Double.isNaN(median) ? "-" : String.format(Locale.ROOT, "%.0f (%s)", median, range(series, workload, "%.0f"));
    }

    /** The median over rounds of numerator/denominator, each round's pair measured side by side. */
    private static double medianRatio(String numerator, String denominator, String workload) {
        TreeMap<Integer, Double> top = FIGURES.getOrDefault(numerator, Map.of()).getOrDefault(workload, new TreeMap<>());
        TreeMap<Integer, Double> bottom = FIGURES.getOrDefault(denominator, Map.of()).getOrDefault(workload, new TreeMap<>());
        return median(top.keySet().stream().filter(bottom::containsKey)
                .mapToDouble(round -> top.get(round) / bottom.get(round)).toArray());
    }

    private static String ratio(String numerator, String denominator, String workload) {
        double ratio = medianRatio(numerator, denominator, workload);
        return Double.isNaN(ratio) ? "-" : String.format(Locale.ROOT, "%.3f", ratio);
    }

    private static int rounds() {
        return FIGURES.values().stream().flatMap(m -> m.values().stream()).mapToInt(TreeMap::size).max().orElse(0);
    }
}
