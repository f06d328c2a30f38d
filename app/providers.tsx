"use client";
import { QueryClientProvider } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, type ReactNode } from "react";
import { createConsoleQueryClient, createConsoleTrpcClient, TRPCProvider } from "./trpc";

export function Providers({ children }: { children: ReactNode }) {
  const router = useRouter();
  const [queryClient] = useState(() =>
    createConsoleQueryClient(() => {
      if (window.location.pathname !== "/sign-in") router.replace(`/sign-in?next=${encodeURIComponent(window.location.pathname + window.location.search)}`);
    }),
  );
  const [trpcClient] = useState(() => createConsoleTrpcClient());
  return (
    <QueryClientProvider client={queryClient}>
      <TRPCProvider trpcClient={trpcClient} queryClient={queryClient}>
        {children}
      </TRPCProvider>
    </QueryClientProvider>
  );
}
