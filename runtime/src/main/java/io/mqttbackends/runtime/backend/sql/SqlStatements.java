package io.mqttbackends.runtime.backend.sql;

/**
 * A database's statements for the built-in functions, on the EMQX 4.4 tables, written with numbered markers. Every
 * statement that reads {@code arrived} returns it as epoch milliseconds in a column named {@code arrived}.
 *
 * @param clientConnected    upsert of the online client: {@code $1} clientid, {@code $2} node
 * @param clientDisconnected the client offline: {@code $1} clientid
 * @param subscriptions      {@code topic, qos} of {@code $1} clientid
 * @param cursor             {@code mid} of ({@code $1} clientid, {@code $2} topic)
 * @param firstCursor        insert the cursor of ({@code $1}, {@code $2}) at the newest id of topic {@code $2}
 *                           (0 when none), leaving an existing cursor alone
 * @param retained           the retained row of topic {@code $1}
 * @param store              insert into {@code mqtt_msg}: msgid, sender, topic, qos, retain, payload, arrived (ms)
 * @param retain             upsert into {@code mqtt_retain}: topic, msgid, sender, qos, payload, arrived (ms)
 * @param retainDelete       delete the retained row of topic {@code $1}
 * @param acked              advance the cursor of ({@code $1} clientid, {@code $2} topic) to the newest stored row
 *                           with msgid {@code $3} on that topic, never backwards, in one statement
 * @param fetch              the stored messages of topic {@code $1} after id {@code $2}, without order or limit
 * @param arrivedWithin      the condition appended to {@code fetch} for {@code time_range}, with {@code %s} for the
 *                           marker of the range in seconds
 */
public record SqlStatements(String clientConnected, String clientDisconnected, String subscriptions, String cursor,
        String firstCursor, String retained, String store, String retain, String retainDelete, String acked,
        String fetch, String arrivedWithin) {
}
