import type { Metadata } from "next";
import { readSampleDescriptors } from "@/app/_components/descriptor/samples";
import { DeployConsole } from "./deploy-console";

export const metadata: Metadata = { title: "Deploy a graph" };

export default async function DeployPage() {
  return <DeployConsole samples={await readSampleDescriptors()} />;
}
