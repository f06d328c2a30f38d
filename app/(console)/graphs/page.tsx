import type { Metadata } from "next";
import { GraphsList } from "./graphs-list";

export const metadata: Metadata = { title: "Graphs" };

export default function GraphsPage() {
  return <GraphsList />;
}
