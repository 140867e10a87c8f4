package io.mqttbackends.operator.docs;

import io.mqttbackends.operator.testing.RepoFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The user documentation: README.md and docs/*.md, read as Markdown far enough to find fenced code blocks, the
 * blocks marked runnable, headings (as the anchors GitHub gives them) and relative links.
 */
final class DocPages {

    /** The marker on the line right before a fenced bash block that the test suite runs (docs/testing.md). */
    static final Pattern RUNNABLE = Pattern.compile("^<!-- runnable(?: timeout=(\\d+))? -->$");
    static final int DEFAULT_TIMEOUT_SECONDS = 120;

    private static final Pattern FENCE = Pattern.compile("^(```+|~~~+)\\s*([A-Za-z0-9_+-]*).*$");
    private static final Pattern HEADING = Pattern.compile("^#{1,6}\\s+(.*?)\\s*#*\\s*$");
    private static final Pattern INLINE_CODE = Pattern.compile("`+[^`]*`+");
    private static final Pattern LINK = Pattern.compile("!?\\[([^\\]]*)\\]\\(([^)\\s]+)\\)");

    /** A fenced code block: the page, the 1-based line of its opening fence, its language and text. */
    record Block(String page, int line, String language, String text, boolean runnable, int timeoutSeconds) {
        String where() {
            return page + ":" + line;
        }
    }

    /** A Markdown link: the page, the 1-based line where it starts, its target as written. */
    record Link(String page, int line, String target) {
    }

    private DocPages() {
    }

    /** README.md then every docs/*.md, as repository-relative paths with forward slashes. */
    static List<String> pages() {
        List<String> pages = new ArrayList<>(List.of("README.md"));
        try (Stream<Path> files = Files.list(RepoFiles.path("docs"))) {
            files.map(f -> "docs/" + f.getFileName()).filter(n -> n.endsWith(".md")).sorted().forEach(pages::add);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return pages;
    }

    static List<String> lines(String page) {
        try {
            return Files.readAllLines(RepoFiles.path(page));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + page, e);
        }
    }

    /** Every fenced code block of a page; a runnable marker before anything but a bash block is an error. */
    static List<Block> blocks(String page) {
        List<String> lines = lines(page);
        List<Block> blocks = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            Matcher open = FENCE.matcher(lines.get(i));
            if (!open.matches()) {
                continue;
            }
            int start = i;
            StringBuilder text = new StringBuilder();
            for (i++; i < lines.size() && !lines.get(i).startsWith(open.group(1)); i++) {
                text.append(lines.get(i)).append('\n');
            }
            Matcher marker = start > 0 ? RUNNABLE.matcher(lines.get(start - 1).trim()) : RUNNABLE.matcher("");
            boolean runnable = marker.matches();
            if (runnable && !open.group(2).equals("bash")) {
                throw new AssertionError(page + ":" + (start + 1) + ": a runnable block must be a ```bash block");
            }
            int timeout = runnable && marker.group(1) != null ? Integer.parseInt(marker.group(1))
                    : DEFAULT_TIMEOUT_SECONDS;
            blocks.add(new Block(page, start + 1, open.group(2), text.toString(), runnable, timeout));
        }
        return blocks;
    }

    /** The page's text with every fenced block's lines blanked, so that line numbers stay right. */
    private static List<String> prose(String page) {
        List<String> lines = new ArrayList<>(lines(page));
        String fence = null;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            Matcher m = FENCE.matcher(line);
            if (fence == null && m.matches()) {
                fence = m.group(1);
                lines.set(i, "");
            } else if (fence != null) {
                if (line.startsWith(fence)) {
                    fence = null;
                }
                lines.set(i, "");
            }
        }
        return lines;
    }

    /** The anchors GitHub gives the page's headings (lower case, punctuation dropped, spaces as -, -1 on repeats). */
    static Set<String> anchors(String page) {
        Set<String> anchors = new LinkedHashSet<>();
        Map<String, Integer> seen = new HashMap<>();
        for (String line : prose(page)) {
            Matcher m = HEADING.matcher(line);
            if (m.matches()) {
                String slug = slug(m.group(1));
                int n = seen.merge(slug, 1, Integer::sum) - 1;
                anchors.add(n == 0 ? slug : slug + "-" + n);
            }
        }
        return anchors;
    }

    static String slug(String heading) {
        String text = INLINE_CODE.matcher(heading).replaceAll(r -> Matcher.quoteReplacement(
                r.group().replace("`", "")));
        text = text.replaceAll("\\[([^\\]]*)\\]\\([^)]*\\)", "$1");
        text = Normalizer.normalize(text, Normalizer.Form.NFC).toLowerCase(java.util.Locale.ROOT);
        return text.replaceAll("[^\\p{L}\\p{N}\\- _]", "").replace(' ', '-');
    }

    /** Every link and image of the page's prose (inline code and fenced blocks excluded), with its line. */
    static List<Link> links(String page) {
        List<String> lines = prose(page);
        StringBuilder text = new StringBuilder();
        List<Integer> lineStarts = new ArrayList<>();
        for (String line : lines) {
            lineStarts.add(text.length());
            // Blank inline code with spaces of the same length, so offsets still map to lines.
            Matcher code = INLINE_CODE.matcher(line);
            StringBuilder blanked = new StringBuilder();
            while (code.find()) {
                code.appendReplacement(blanked, " ".repeat(code.group().length()));
            }
            code.appendTail(blanked);
            text.append(blanked).append('\n');
        }
        List<Link> links = new ArrayList<>();
        Matcher m = LINK.matcher(text);
        while (m.find()) {
            int offset = m.start();
            int line = 0;
            while (line + 1 < lineStarts.size() && lineStarts.get(line + 1) <= offset) {
                line++;
            }
            links.add(new Link(page, line + 1, m.group(2)));
        }
        return links;
    }

    /** Why a relative link does not resolve, or empty when it does (external links are not checked). */
    static Optional<String> broken(Link link) {
        String target = link.target();
        if (target.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:.*")) {
            return Optional.empty();
        }
        int hash = target.indexOf('#');
        String file = hash < 0 ? target : target.substring(0, hash);
        String anchor = hash < 0 ? null : target.substring(hash + 1);
        Path base = RepoFiles.path(link.page()).getParent();
        Path resolved = file.isEmpty() ? RepoFiles.path(link.page()) : base.resolve(file).normalize();
        if (!resolved.startsWith(RepoFiles.ROOT) || !Files.exists(resolved)) {
            return Optional.of("no file " + file);
        }
        if (anchor != null) {
            if (!resolved.toString().endsWith(".md")) {
                return Optional.of("an anchor on a file that is not Markdown");
            }
            String targetPage = RepoFiles.ROOT.relativize(resolved).toString().replace('\\', '/');
            if (!anchors(targetPage).contains(anchor)) {
                return Optional.of("no heading #" + anchor + " in " + targetPage);
            }
        }
        return Optional.empty();
    }
}
