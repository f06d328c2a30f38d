import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { parseHdag } from "@/lib/hdag";
import type { Hdag, HdagService } from "@/lib/hdag/types";
import { formatBytes, formatCpu } from "@/lib/quantity";

// The samples are read and parsed by the real descriptor parser when the page is built.
export const dynamic = "force-static";

async function loadSamples(): Promise<Hdag[]> {
  const folder = path.join(process.cwd(), "examples", "hdag");
  const files = (await readdir(folder)).filter((file) => file.endsWith(".yaml")).sort();
  return Promise.all(files.map(async (file) => parseHdag(await readFile(path.join(folder, file), "utf8"), { source: file })));
}

function triggerLabel(service: HdagService): string {
  return service.trigger.kind === "event" ? `on alert ${service.trigger.events.map((event) => event.id).join(", ")}` : "at deploy";
}

export default async function HomePage() {
  const samples = await loadSamples();
  return (
    <main className="page">
      <div className="brand">
        <div className="brand-mark" aria-hidden="true">
          S
        </div>
        <h1>SMO Console</h1>
      </div>
      <p className="lede">
        Deploy application graphs across a Karmada federation of Kubernetes clusters. SMO places each service with an integer program,
        explains why, scales replicas from Prometheus metrics and deploys event-triggered services when their alerts fire.
      </p>

      <h2>Sample application graphs</h2>
      <div className="grid">
        {samples.map((graph) => (
          <section className="card" key={graph.id} aria-labelledby={`graph-${graph.id}`}>
            <h3 id={`graph-${graph.id}`}>{graph.id}</h3>
            <p>{graph.description || "No description."}</p>
            <div>
              {graph.intent.highAvailability && <span className="tag">high availability</span>}
              {graph.intent.useStaticPlacement && <span className="tag">static placement</span>}
              {graph.intent.energyEfficiency && <span className="tag">energy efficiency</span>}
            </div>
            <table>
              <caption className="visually-hidden">Services of {graph.id}</caption>
              <thead>
                <tr>
                  <th scope="col">service</th>
                  <th scope="col">size</th>
                  <th scope="col">starts</th>
                  <th scope="col">connects to</th>
                </tr>
              </thead>
              <tbody>
                {graph.services.map((service) => (
                  <tr key={service.id}>
                    <td>
                      <code>{service.id}</code>
                    </td>
                    <td>
                      {formatCpu(service.compute.cpu)} CPU, {formatBytes(service.compute.memory)}
                      {service.compute.gpu && <span className="tag gpu"> GPU</span>}
                    </td>
                    <td>{service.trigger.kind === "event" ? <span className="tag event">{triggerLabel(service)}</span> : triggerLabel(service)}</td>
                    <td>{service.connectionPoints.length ? service.connectionPoints.join(", ") : "—"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        ))}
      </div>

      <h2>Try the core from the command line</h2>
      <div className="commands">
        <pre>{`npm run smo -- hdag validate examples/hdag/image-detection-graph.yaml
npm run smo -- placement solve lib/placement/examples/edge-federation.json --algorithm optimal
npm run smo -- scaling solve lib/scaling/examples/brussels-demo.yaml --json
npm run bench -- placement scaling`}</pre>
      </div>
      <footer>SMO Console · placement by HiGHS · {samples.length} sample graphs parsed at build time</footer>
    </main>
  );
}
