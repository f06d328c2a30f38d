"use client";
/**
 * The newest events matching some filters, kept current without a reload: the first page comes
 * from events.list, then the list is refreshed while the page is open.
 */
import { useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { useTRPC } from "@/app/trpc";

export type EventSeverity = "info" | "warning" | "error";
export type EventFilters = { graphName?: string; clusterName?: string; kind?: string; severity?: EventSeverity };

/** How often the list is asked again. */
const REFRESH_MS = 3_000;

export function useLiveEvents(filters: EventFilters, limit: number) {
  const trpc = useTRPC();
  return useQuery({ ...trpc.events.list.queryOptions({ ...filters, limit }), refetchInterval: REFRESH_MS, refetchIntervalInBackground: false });
}

export type EventRow = NonNullable<ReturnType<typeof useLiveEvents>["data"]>[number];

/** The current time, ticking every `intervalMs`, so that "2 minutes ago" stays true. */
export function useNow(intervalMs = 15_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}
