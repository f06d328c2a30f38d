import type { Metadata } from "next";
import { readSampleDescriptors } from "@/app/_components/descriptor/samples";
import { PlacementLab } from "./placement-lab";

export const metadata: Metadata = { title: "Placement lab" };

export default async function LabPage() {
  return <PlacementLab samples={await readSampleDescriptors()} />;
}
