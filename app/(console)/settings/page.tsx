import type { Metadata } from "next";
import { SettingsOverview } from "./settings-overview";

export const metadata: Metadata = { title: "Settings" };

export default function SettingsPage() {
  return <SettingsOverview />;
}
