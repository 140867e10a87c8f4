package io.mqttbackends.runtime.hook;

import io.mqttbackends.runtime.event.Event;
import io.mqttbackends.model.HookPoint;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Optional;
import io.mqttbackends.model.conf.HookConfig;
import java.util.Map;

/** Every bound hook, by hook point, in conf order. Immutable: a reload swaps in a whole new table. */
public final class HookTable {
    private final Map<HookPoint, List<BoundHook<?>>> byHookPoint;

    public HookTable(List<BoundHook<?>> hooks) {
        Map<HookPoint, List<BoundHook<?>>> map = new EnumMap<>(HookPoint.class);
        for (HookPoint hp : HookPoint.values()) {
            map.put(hp, new ArrayList<>());
        }
        hooks.forEach(h -> map.get(h.config().hookPoint()).add(h));
        map.replaceAll((hp, list) -> List.copyOf(list));
        this.byHookPoint = map;
    }

    /** The hooks that run for an event, in order. */
    public List<BoundHook<?>> hooksFor(Event event) {
        List<BoundHook<?>> all = byHookPoint.get(event.hookPoint());
        List<BoundHook<?>> applying = new ArrayList<>(all.size());
        for (BoundHook<?> h : all) {
            if (h.appliesTo(event)) {
                applying.add(h);
            }
        }
        return applying;
    }

    /** The hook of this table compiled from {@code config} (the same line, unchanged), if any. */
    public Optional<BoundHook<?>> find(HookConfig config) {
        return byHookPoint.get(config.hookPoint()).stream().filter(h -> h.config().equals(config)).findFirst();
    }

    public int size() {
        return byHookPoint.values().stream().mapToInt(List::size).sum();
    }
}
