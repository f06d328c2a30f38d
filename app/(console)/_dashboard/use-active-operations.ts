"use client";
/**
 * The operations pending or running now, kept current: a first list, then operations.live's
 * updates (each operation's state whenever it changes). Polls instead should the stream fail.
 */
import { useQuery } from "@tanstack/react-query";
import { useSubscription } from "@trpc/tanstack-react-query";
import { useState } from "react";
import { useTRPC } from "@/app/trpc";

const POLL_MS = 4_000;
const ACTIVE = new Set(["pending", "running"]);

export function useActiveOperations() {
  const trpc = useTRPC();
  const [streamFailed, setStreamFailed] = useState(false);
  const list = useQuery({ ...trpc.operations.list.queryOptions({ status: ["running", "pending"], limit: 20 }), refetchInterval: streamFailed ? POLL_MS : false });
  type Operation = NonNullable<typeof list.data>[number];
  // The latest state the stream reported for each operation, newer than the list's.
  const [updates, setUpdates] = useState<Map<string, Operation>>(() => new Map());
  useSubscription(
    trpc.operations.live.subscriptionOptions(
      {},
      {
        enabled: list.isSuccess,
        onData: (operation) => setUpdates((current) => new Map(current).set(operation.id, operation)),
        onError: () => {
          // The list, polled from now on, is fresher than what the stream said last.
          setUpdates(new Map());
          setStreamFailed(true);
        },
        onStarted: () => setStreamFailed(false),
      },
    ),
  );

  const merged = new Map<string, Operation>();
  for (const operation of list.data ?? []) merged.set(operation.id, operation);
  for (const [id, operation] of updates) merged.set(id, operation);
  const data = list.data
    ? [...merged.values()].filter((operation) => ACTIVE.has(operation.status)).sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())
    : undefined;
  return { data, error: list.error, isPending: list.isPending };
}
