/** Shows an action only to roles that may take it; others see one line saying which role it needs. */
import type { UserRole } from "@teleops/schema";
import type { ReactNode } from "react";
import { useCan, useSession } from "../lib/session.ts";

export function RoleGate({ min, action, children }: { min: UserRole; action: string; children: ReactNode }) {
  const allowed = useCan(min);
  const session = useSession();
  if (allowed) return <>{children}</>;
  return (
    <p className="muted small role-note" data-testid="role-note">
      {action} needs the {min} role; you are signed in as {session?.role ?? "an unknown role"}.
    </p>
  );
}
