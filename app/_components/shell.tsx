"use client";
/**
 * The console's frame: navigation, who is signed in, the sandbox banner. It waits for the session
 * before rendering a page, and sends a visitor without one to the sign-in page.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { usePathname, useRouter } from "next/navigation";
import { useEffect, type ReactNode } from "react";
import { useTRPC } from "@/app/trpc";
import { useMe } from "./session";
import { Loading } from "./ui";

const NAVIGATION = [
  { href: "/", label: "Dashboard" },
  { href: "/graphs", label: "Graphs" },
  { href: "/deploy", label: "Deploy" },
  { href: "/lab", label: "Placement lab" },
  { href: "/clusters", label: "Clusters" },
  { href: "/events", label: "Events" },
  { href: "/settings", label: "Settings" },
] as const;

function isCurrent(pathname: string, href: string): boolean {
  return href === "/" ? pathname === "/" : pathname === href || pathname.startsWith(`${href}/`);
}

export function ConsoleShell({ children }: { children: ReactNode }) {
  const pathname = usePathname();
  const router = useRouter();
  const me = useMe();
  const signedOut = me.isSuccess && !me.isFetching && me.data === null;

  useEffect(() => {
    // window.location: the query string is part of where the visitor was going.
    if (signedOut) router.replace(`/sign-in?next=${encodeURIComponent(window.location.pathname + window.location.search)}`);
  }, [signedOut, router]);

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <aside className="sidebar">
        <Link href="/" className="brand">
          <span className="brand-mark" aria-hidden="true">
            S
          </span>
          <span className="brand-name">SMO Console</span>
        </Link>
        <nav aria-label="Console">
          <ul className="nav-list">
            {NAVIGATION.map((item) => (
              <li key={item.href}>
                <Link href={item.href} className="nav-link" aria-current={isCurrent(pathname, item.href) ? "page" : undefined}>
                  {item.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        {me.data && <UserBox username={me.data.username} role={me.data.role} />}
      </aside>
      <div className="shell-main">
        {me.data && <SandboxBanner />}
        <main id="main" className="content" tabIndex={-1}>
          {me.data ? children : me.isError ? <p role="alert">The console cannot reach its API: {me.error.message}</p> : <Loading label="Checking your session…" />}
        </main>
      </div>
    </div>
  );
}

function UserBox({ username, role }: { username: string; role: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const router = useRouter();
  const signOut = useMutation(
    trpc.auth.signOut.mutationOptions({
      onSuccess: () => {
        queryClient.clear();
        router.replace("/sign-in");
      },
    }),
  );
  return (
    <div className="user-box">
      <div>
        <div className="user-name">{username}</div>
        <div className="user-role">{role}</div>
      </div>
      <button type="button" className="button button-small" onClick={() => signOut.mutate()} disabled={signOut.isPending}>
        Sign out
      </button>
    </div>
  );
}

/** Says plainly when the federation is the built-in simulation, and where its scenario controls are. */
function SandboxBanner() {
  const trpc = useTRPC();
  const settings = useQuery({ ...trpc.settings.get.queryOptions(), staleTime: 5 * 60_000 });
  if (settings.data?.systems.mode !== "sandbox") return null;
  return (
    <div className="sandbox-banner" role="note">
      <strong>Sandbox</strong> — a simulated Karmada federation runs inside this console; nothing here touches a real cluster.{" "}
      <Link href="/sandbox">Scenario controls</Link>
    </div>
  );
}
