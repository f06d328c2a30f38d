import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/", ".next/", "data/", "db/migrations/", "test-results/", "playwright-report/", "next-env.d.ts"] },
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-definitions": ["error", "type"],
    },
  },
  {
    // The orchestration core stays framework-free: no web framework, no UI, no tRPC, no simulator.
    files: ["lib/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { group: ["next", "next/*"], message: "lib/ is framework-free: no Next.js imports." },
            { group: ["react", "react-dom", "react/*"], message: "lib/ is framework-free: no React imports." },
            { group: ["@trpc/*"], message: "lib/ is framework-free: no tRPC imports; throw lib/errors instead." },
            { group: ["**/sim/**", "../sim/*", "../../sim/*"], message: "lib/ never imports the sandbox simulator (its tests may)." },
            { group: ["**/server/**", "**/app/**"], message: "lib/ does not depend on the web layers." },
          ],
        },
      ],
    },
  },
  {
    // Tests of the core drive its clients against the sandbox emulators over real protocols.
    files: ["lib/**/*.test.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { group: ["next", "next/*"], message: "lib/ is framework-free: no Next.js imports." },
            { group: ["react", "react-dom", "react/*"], message: "lib/ is framework-free: no React imports." },
            { group: ["@trpc/*"], message: "lib/ is framework-free: no tRPC imports." },
          ],
        },
      ],
    },
  },
);
