/** The users of the server's users file, for the admins of each tenant; tokens and their hashes never leave. */
import { adminProcedure, router } from "../trpc.ts";

export const usersRouter = router({
  list: adminProcedure.query(({ ctx }) => {
    const users = ctx.services.identity?.users() ?? [];
    return {
      auth_mode: ctx.services.identity?.mode ?? "local-admin",
      users: users
        .filter((user) => user.tenant === ctx.actor.tenantId)
        .sort((a, b) => a.name.localeCompare(b.name))
        .map((user) => ({ name: user.name, role: user.role, tenant: user.tenant })),
    };
  }),
});
