import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // Native/WASM packages must stay outside the bundle (STACK.md pitfall 1).
  serverExternalPackages: ["highs", "@electric-sql/pglite", "@kubernetes/client-node", "pino", "@node-rs/argon2"],
  poweredByHeader: false,
  reactStrictMode: true,
};

export default nextConfig;
