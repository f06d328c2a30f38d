"use client";
/**
 * The console's tRPC client: one batch link for queries and mutations (at most MAX_BATCH_SIZE
 * calls per request, as the server enforces), POST for the queries whose input is a whole
 * descriptor (a URL would be too long), and Server-Sent Events for subscriptions.
 */
import { QueryCache, QueryClient } from "@tanstack/react-query";
import { createTRPCClient, httpBatchLink, httpLink, httpSubscriptionLink, isTRPCClientError, splitLink } from "@trpc/client";
import { createTRPCContext } from "@trpc/tanstack-react-query";
import superjson from "superjson";
import type { AppRouter } from "@/server/routers/_app";

export const { TRPCProvider, useTRPC, useTRPCClient } = createTRPCContext<AppRouter>();

const ENDPOINT = "/api/trpc";
/** Must stay at or below the server's MAX_BATCH_SIZE (server/http.ts). */
const BATCH_MAX_ITEMS = 20;
/** Queries that carry a descriptor's text: sent as POST (the server allows the override for queries). */
const LARGE_INPUT_QUERIES = new Set(["graphs.validate", "placement.compare"]);

export function createConsoleTrpcClient() {
  return createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === "subscription",
        true: httpSubscriptionLink({ url: ENDPOINT, transformer: superjson }),
        false: splitLink({
          condition: (op) => LARGE_INPUT_QUERIES.has(op.path),
          true: httpLink({ url: ENDPOINT, transformer: superjson, methodOverride: "POST" }),
          false: httpBatchLink({ url: ENDPOINT, transformer: superjson, maxItems: BATCH_MAX_ITEMS }),
        }),
      }),
    ],
  });
}

/** True for the errors that mean "sign in again" (no session, or it expired). */
export function isUnauthorized(error: unknown): boolean {
  return isTRPCClientError(error) && error.data?.code === "UNAUTHORIZED";
}

/** A short, human message for any error a query or mutation can raise. */
export function errorMessage(error: unknown): string {
  if (isTRPCClientError(error)) return error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}

export function createConsoleQueryClient(onUnauthorized: () => void): QueryClient {
  return new QueryClient({
    queryCache: new QueryCache({
      onError: (error) => {
        if (isUnauthorized(error)) onUnauthorized();
      },
    }),
    defaultOptions: {
      queries: {
        staleTime: 5_000,
        // A refused or invalid request will not succeed by asking again.
        retry: (failureCount, error) => failureCount < 2 && !(isTRPCClientError(error) && (error.data?.httpStatus ?? 500) < 500),
        refetchOnWindowFocus: true,
      },
    },
  });
}
