import type { Metadata } from "next";
import { GraphDetailView } from "./graph-detail";

type Params = { params: Promise<{ name: string }> };

export async function generateMetadata({ params }: Params): Promise<Metadata> {
  const { name } = await params;
  return { title: decodeURIComponent(name) };
}

export default async function GraphPage({ params }: Params) {
  const { name } = await params;
  return <GraphDetailView name={decodeURIComponent(name)} />;
}
