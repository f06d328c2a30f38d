import type { Metadata } from "next";
import { PageHeader } from "@/app/_components/ui";

export const metadata: Metadata = { title: "Dashboard" };

export default function DashboardPage() {
  return <PageHeader title="Dashboard" description="The federation and its application graphs at a glance." />;
}
