package io.mqttbackends.runtime.backend;

import io.mqttbackends.model.conf.ActionSpec;
import io.mqttbackends.model.conf.ConfigException;
import io.mqttbackends.model.conf.DatabaseProfile;
import io.mqttbackends.model.conf.HookConfig;

/**
 * The statements of a statement hook, for a pool's {@link BackendPool#prepare}. The loader refuses a statement
 * language other than the database's ({@link DatabaseProfile#statementLanguage()}); this repeats that check for
 * hooks that reach a pool by another way (tests, a future front end), with the loader's words.
 */
public final class HookActions {
    private HookActions() {
    }

    /**
     * @throws ConfigException naming the hook line when its statements are not in its database's language, or the
     *                         database has none
     */
    public static ActionSpec.Statements statements(HookConfig hook) {
        ActionSpec.Statements statements = (ActionSpec.Statements) hook.action();
        DatabaseProfile profile = DatabaseProfile.of(hook.kind());
        if (profile.statementLanguage().filter(statements.language()::equals).isEmpty()) {
            throw new ConfigException(hook.location(), profile.title() + " hooks "
                    + profile.statementLanguage().map(l -> "run \"" + l.key() + "\" statements")
                            .orElse("call functions only") + ", not \"" + statements.language().key() + "\"");
        }
        return statements;
    }
}
