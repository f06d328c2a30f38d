"use client";
/**
 * The newest events matching some filters, kept current without a reload: the first page comes
 * from events.list, then events.live streams every later event (from the newest id listed, so
 * nothing falls between the two) into the same query cache. Should the stream fail, the list is
 * polled instead.
 */
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useSubscription } from "@trpc/tanstack-react-query";
import { useEffect, useRef, useState } from "react";
import { useTRPC } from "@/app/trpc";

export type EventSeverity = "info" | "warning" | "error";
export type EventFilters = { graphName?: string; clusterName?: string; kind?: string; severity?: EventSeverity };

/** How often the list is asked again when the live stream is not available. */
const POLL_MS = 5_000;

export function useLiveEvents(filters: EventFilters, limit: number) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const filterKey = JSON.stringify(filters);
  const listInput = { ...filters, limit };
  const listKey = trpc.events.list.queryKey(listInput);
  const currentKey = useRef(listKey);
  currentKey.current = listKey;
  const currentLimit = useRef(limit);
  currentLimit.current = limit;

  const [streamFailed, setStreamFailed] = useState(false);
  const list = useQuery({ ...trpc.events.list.queryOptions(listInput), refetchInterval: streamFailed ? POLL_MS : false });

  // Where the stream starts: the newest event of the first page listed for these filters.
  const [start, setStart] = useState<{ key: string; afterId: number } | null>(null);
  const newestListed = list.data?.[0]?.id ?? 0;
  useEffect(() => {
    if (list.isSuccess && start?.key !== filterKey) setStart({ key: filterKey, afterId: newestListed });
  }, [list.isSuccess, filterKey, newestListed, start?.key]);

  const live = useSubscription(
    trpc.events.live.subscriptionOptions(
      { ...filters, lastEventId: String(start?.afterId ?? 0) },
      {
        enabled: start?.key === filterKey,
        onData: ({ data: event }) => {
          queryClient.setQueryData(currentKey.current, (old) => {
            if (!old) return old;
            if (old.some((row) => row.id === event.id)) return old;
            // The newest `limit`, as the list itself would give them now.
            return [event, ...old].sort((a, b) => b.id - a.id).slice(0, currentLimit.current);
          });
        },
        onError: () => setStreamFailed(true),
        onStarted: () => setStreamFailed(false),
      },
    ),
  );
  const stream: "live" | "connecting" | "polling" = streamFailed ? "polling" : live.status === "pending" ? "live" : "connecting";
  return { ...list, stream };
}

export type EventRow = NonNullable<ReturnType<typeof useLiveEvents>["data"]>[number];

/** The current time, ticking every `intervalMs`, so that "2 minutes ago" stays true. */
export function useNow(intervalMs = 5_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}
