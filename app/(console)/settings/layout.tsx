import type { ReactNode } from "react";
import { SettingsNav } from "./settings-nav";

/** Every settings page: its sub-navigation first, then the page (with its own h1). */
export default function SettingsLayout({ children }: { children: ReactNode }) {
  return (
    <>
      <SettingsNav />
      {children}
    </>
  );
}
