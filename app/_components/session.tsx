"use client";
/** Who is signed in, for the whole console: the shell loads it once and pages read it here. */
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/app/trpc";

export type ConsoleRole = "viewer" | "operator" | "admin";
const RANK: Record<ConsoleRole, number> = { viewer: 0, operator: 1, admin: 2 };

export function useMe() {
  const trpc = useTRPC();
  return useQuery({ ...trpc.auth.me.queryOptions(), staleTime: 60_000 });
}

/** Whether the signed-in user holds at least `role`. The API enforces roles; this only hides what would be refused. */
export function useCan(role: ConsoleRole): boolean {
  const me = useMe().data;
  return Boolean(me && RANK[me.role as ConsoleRole] >= RANK[role]);
}
