import type { Metadata } from "next";
import { Suspense } from "react";
import { Loading } from "@/app/_components/ui";
import { EventsView } from "./events-view";

export const metadata: Metadata = { title: "Events" };

export default function EventsPage() {
  return (
    // The filters are read from the query string (useSearchParams), which needs a Suspense boundary.
    <Suspense fallback={<Loading label="Loading events…" />}>
      <EventsView />
    </Suspense>
  );
}
