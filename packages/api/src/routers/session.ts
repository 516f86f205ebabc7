/** Who is asking: the signed-in user as the server sees them, so clients show it and hide what the role cannot do. */
import { router, viewerProcedure } from "../trpc.ts";

export const sessionRouter = router({
  whoami: viewerProcedure.query(({ ctx }) => ({
    name: ctx.actor.name,
    role: ctx.actor.role,
    tenant: ctx.actor.tenantId,
    auth_mode: ctx.services.identity?.mode ?? "local-admin",
    /** Whether this server runs the Lab (scenario generation, reset); admins see it only then. */
    lab: ctx.services.lab !== false,
  })),
});
