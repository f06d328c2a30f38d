"use client";
/** The settings area's sub-navigation, shown under each settings page's header. */
import Link from "next/link";
import { usePathname } from "next/navigation";
import styles from "./settings.module.css";

const SECTIONS = [
  { href: "/settings", label: "Overview" },
  { href: "/settings/users", label: "Users" },
  { href: "/settings/tokens", label: "API tokens" },
  { href: "/settings/api", label: "API reference" },
] as const;

export function SettingsNav() {
  const pathname = usePathname();
  return (
    <nav aria-label="Settings" className={styles.tabs}>
      <ul>
        {SECTIONS.map((section) => (
          <li key={section.href}>
            <Link href={section.href} className={styles.tab} aria-current={pathname === section.href ? "page" : undefined}>
              {section.label}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}
