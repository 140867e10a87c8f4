package io.mqttbackends.operator.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every relative link of README.md and docs/*.md reaches a file the repository ships, and a heading there. */
class DocLinksTest {

    @Test
    void everyRelativeLinkPointsToAnExistingFileAndHeading() {
        List<String> broken = new ArrayList<>();
        int checked = 0;
        for (String page : DocPages.pages()) {
            for (DocPages.Link link : DocPages.links(page)) {
                checked++;
                DocPages.broken(link).ifPresent(why -> broken.add(link.page() + ":" + link.line() + ": ("
                        + link.target() + ") " + why));
            }
        }
        assertThat(checked).as("links found").isGreaterThan(100);
        assertThat(broken).as("broken links").isEmpty();
    }

    @Test
    void linkCheckerFindsAMissingFileAndAMissingHeading() {
        assertThat(DocPages.broken(new DocPages.Link("README.md", 1, "docs/no-such-page.md"))).isPresent();
        assertThat(DocPages.broken(new DocPages.Link("README.md", 1, "docs/postgresql.md#no-such-heading")))
                .hasValueSatisfying(why -> assertThat(why).contains("no heading #no-such-heading"));
        assertThat(DocPages.broken(new DocPages.Link("docs/README.md", 1, "../LICENSE"))).isEmpty();
        assertThat(DocPages.broken(new DocPages.Link("docs/mysql.md", 1, "configuration.md#hot-reload"))).isEmpty();
    }

    @Test
    void anchorsAreTheOnesGitHubGivesHeadings() {
        assertThat(DocPages.slug("Semantics (decisions and differences from EMQX 4.4)"))
                .isEqualTo("semantics-decisions-and-differences-from-emqx-44");
        assertThat(DocPages.slug("MySQL / MariaDB")).isEqualTo("mysql--mariadb");
        assertThat(DocPages.slug("The EMQX REST API (broker control `emqx`)"))
                .isEqualTo("the-emqx-rest-api-broker-control-emqx");
    }

    @Test
    void noPageCitesADocumentTheRepositoryDoesNotShip() {
        List<String> citations = new ArrayList<>();
        for (String page : DocPages.pages()) {
            List<String> lines = DocPages.lines(page);
            for (int i = 0; i < lines.size(); i++) {
                if (lines.get(i).matches(".*\\bspec §.*")) {
                    citations.add(page + ":" + (i + 1) + ": " + lines.get(i));
                }
            }
        }
        assertThat(citations).isEmpty();
    }
}
