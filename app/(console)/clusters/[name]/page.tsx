import type { Metadata } from "next";
import { ClusterDetail } from "./cluster-detail";

type Props = { params: Promise<{ name: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { name } = await params;
  return { title: `Cluster ${decodeURIComponent(name)}` };
}

export default async function ClusterPage({ params }: Props) {
  const { name } = await params;
  return <ClusterDetail name={decodeURIComponent(name)} />;
}
