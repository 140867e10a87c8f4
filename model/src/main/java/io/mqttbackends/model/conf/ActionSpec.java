package io.mqttbackends.model.conf;

import java.util.List;

/** What a hook does: call a built-in function, or run statement templates in order. */
public sealed interface ActionSpec {

    /** The function name, or the statement language's key. */
    String displayName();

    /** {@code "action": {"function": "on_message_publish"}}. */
    record Function(String name) implements ActionSpec {
        @Override
        public String displayName() {
            return name;
        }
    }

    /**
     * {@code "action": {"sql"|"cql"|"commands": [...]}}.
     *
     * @param language   which key carried the statements
     * @param statements the templates, in order (for Redis a leading {@code "pipeline"} is removed and sets
     *                   {@code pipeline})
     * @param pipeline   Redis only: send the commands as one pipeline
     */
    record Statements(Language language, List<String> statements, boolean pipeline) implements ActionSpec {
        public Statements {
            statements = List.copyOf(statements);
        }

        @Override
        public String displayName() {
            return language.key();
        }
    }

    /** The statement languages, by the action key that carries them. */
    enum Language {
        SQL("sql"), CQL("cql"), COMMANDS("commands");

        private final String key;

        Language(String key) {
            this.key = key;
        }

        public String key() {
            return key;
        }
    }
}
