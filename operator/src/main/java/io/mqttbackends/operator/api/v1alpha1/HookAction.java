package io.mqttbackends.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

/** What a hook does: exactly one built-in function or one list of statements in the pool's language. */
@ValidationRule(value = "[has(self.function), has(self.sql), has(self.cql), has(self.commands)]"
        + ".filter(x, x).size() == 1", message = "set exactly one of function, sql, cql, commands")
public class HookAction {

    @Pattern("^[a-z_]+$")
    @JsonPropertyDescription("A built-in function of the pool's database, e.g. on_message_publish (each database's"
            + " functions are listed in docs/postgresql.md, mysql.md, redis.md, mongodb.md and cassandra.md).")
    private String function;

    @Size(min = 1)
    @JsonPropertyDescription("SQL statements (mysql, pgsql) with ${placeholders}, run in order.")
    private List<String> sql;

    @Size(min = 1)
    @JsonPropertyDescription("CQL statements (cassandra) with ${placeholders}, run in order.")
    private List<String> cql;

    @Size(min = 1)
    @JsonPropertyDescription("Redis commands with ${placeholders}; a first element \"pipeline\" sends the rest as "
            + "one pipeline.")
    private List<String> commands;

    public String getFunction() {
        return function;
    }

    public void setFunction(String function) {
        this.function = function;
    }

    public List<String> getSql() {
        return sql;
    }

    public void setSql(List<String> sql) {
        this.sql = sql;
    }

    public List<String> getCql() {
        return cql;
    }

    public void setCql(List<String> cql) {
        this.cql = cql;
    }

    public List<String> getCommands() {
        return commands;
    }

    public void setCommands(List<String> commands) {
        this.commands = commands;
    }
}
