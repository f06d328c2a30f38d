import type { Metadata } from "next";
import { Suspense } from "react";
import { SignInForm } from "./sign-in-form";

export const metadata: Metadata = { title: "Sign in" };

export default function SignInPage() {
  return (
    <main className="sign-in" id="main">
      <div className="sign-in-card">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true">
            S
          </span>
          <span className="brand-name">SMO Console</span>
        </div>
        <h1>Sign in</h1>
        {/* useSearchParams (the `next` page) needs a Suspense boundary in a prerendered page. */}
        <Suspense>
          <SignInForm />
        </Suspense>
        <p className="hint">
          The first account is <code>admin</code>; its password is <code>SMO_ADMIN_PASSWORD</code>, or the one printed once in the console&apos;s log at its
          first start.
        </p>
      </div>
    </main>
  );
}
