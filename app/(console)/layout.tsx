import type { ReactNode } from "react";
import { ConsoleShell } from "@/app/_components/shell";

// Every console page depends on the signed-in user and live data: never prerendered.
export const dynamic = "force-dynamic";

export default function ConsoleLayout({ children }: { children: ReactNode }) {
  return <ConsoleShell>{children}</ConsoleShell>;
}
